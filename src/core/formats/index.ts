import { imageShapeProblem, type Generator } from '../model/generator';
import { guardReader, ModelFormatError } from './errors';
import type { ModelFormat, OpenOptions } from './format';
import { jsonFormat } from './json';
import { npzFormat } from './npz';
import { onnxFormat } from './onnx';
import { safetensorsFormat } from './safetensors';

export { DEFAULT_MODEL_BUDGET_BYTES, MAX_ENTRIES, MAX_LAYERS, type ReadLimits } from './budget';
export { ModelFormatError } from './errors';
export type { ModelFormat, OpenOptions } from './format';

/** Every reader, tried in order; the first whose `match` accepts the bytes opens them (by content, not by name). */
export const modelFormats: readonly ModelFormat[] = [jsonFormat, safetensorsFormat, npzFormat, onnxFormat];

/** A generator together with the reader that produced it. */
export interface OpenedModel {
  readonly generator: Generator;
  readonly format: ModelFormat;
}

/**
 * Opens model bytes, choosing the reader by content (not by file name).
 * @param fileName used only for messages and as a fallback model name.
 * @throws ModelFormatError when no reader accepts the bytes or the chosen one refuses them;
 *   nothing else (an unexpected error inside a reader becomes a one-line ModelFormatError too).
 */
export function openModel(bytes: Uint8Array, fileName: string, options?: OpenOptions): OpenedModel {
  if (bytes.length === 0) throw new ModelFormatError('unknown', `"${fileName}" is empty`);
  const format = modelFormats.find((f) => f.match(bytes));
  if (format === undefined) {
    const supported = modelFormats.map((f) => f.label).join(', ');
    throw new ModelFormatError(
      'unknown',
      `"${fileName}" is not a model file Pursuit Lab can read (supported: ${supported})`,
    );
  }
  const name = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  const opened = guardReader(format.id, `Cannot read "${fileName}" as ${format.label}`, () =>
    format.open(bytes, name, options),
  );
  const shape = options?.imageShape;
  if (shape === undefined) return { generator: opened, format };
  const problem = imageShapeProblem(shape, opened.layers[opened.layers.length - 1].W.rows);
  if (problem !== undefined)
    throw new ModelFormatError(format.id, `Cannot use "${fileName}" as an image model: ${problem}`);
  return { generator: { ...opened, imageShape: [shape[0], shape[1]] }, format };
}
