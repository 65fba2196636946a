import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModelFormatError } from '../core/formats/errors';
import type { OpenOptions } from '../core/formats/format';
import { outputActivationByName } from '../core/model/activations';
import { loadCustomActivationsFor, withCustomActivations } from '../core/model/customActivationLoader';
import { imageShapeProblem, type Generator, type ImageShape } from '../core/model/generator';
import { parseRandomSpec, randomGaussianGenerator } from '../core/model/random';
import { defaultModelParser, ParseLimitError } from '../main/services/modelParser';
import type { ParsedArgs } from './args';
import { checkRandomBudget, memoryBudgetFrom } from './budget';
import { InputError, UsageError } from './io';

/** Flags every command that opens a model accepts. */
export const MODEL_FLAGS = ['arch', 'output', 'image-shape', 'memory-budget'] as const;

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new InputError(`cannot read ${path}: ${why}`);
  }
}

/** The open options from --arch / --output / --image-shape (and a NAME.arch.json found beside the model). */
export async function openOptionsFrom(path: string, args?: ParsedArgs): Promise<OpenOptions> {
  const arch = args?.flags.get('arch');
  const outputName = args?.flags.get('output');
  const options: { architecture?: Uint8Array; output?: OpenOptions['output']; imageShape?: OpenOptions['imageShape'] } =
    {};
  const shape = imageShapeFlag(args);
  if (shape !== undefined) options.imageShape = shape;
  if (typeof outputName === 'string') {
    const output = outputActivationByName(outputName);
    if (output === undefined)
      throw new UsageError(
        `--output: unknown activation "${outputName}" (identity, tanh, sigmoid, leaky_relu, plu, custom(EXPRESSION))`,
      );
    options.output = output;
  }
  const sidecar = typeof arch === 'string' ? arch : path.replace(/\.[^./]+$/, '') + '.arch.json';
  if (typeof arch === 'string' || (existsSync(sidecar) && !path.endsWith('.json')))
    options.architecture = await readBytes(sidecar);
  return options;
}

/** --image-shape HxW as [height, width]; the model's n is checked when it is opened (the error names both). */
function imageShapeFlag(args?: ParsedArgs): ImageShape | undefined {
  const shape = args?.flags.get('image-shape');
  if (typeof shape !== 'string') return undefined;
  const m = /^(\d+)x(\d+)$/.exec(shape.trim());
  if (m === null) throw new UsageError(`--image-shape: want HEIGHTxWIDTH (e.g. 12x7), got "${shape}"`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Reads and opens a model file in a worker thread, within the parse limits
 * (PURSUIT_LAB_PARSE_TIME_LIMIT seconds, PURSUIT_LAB_PARSE_MEMORY_LIMIT MiB);
 * every failure becomes an InputError naming the file and the problem.
 */
export async function loadModelFile(path: string, args?: ParsedArgs) {
  const bytes = await readBytes(path);
  const options = await openOptionsFrom(path, args);
  let parser;
  try {
    parser = defaultModelParser();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    const parsed = await parser(bytes, basename(path), options);
    // The parse ran in its worker; a command that runs the model on this thread needs the compiler here too.
    await loadCustomActivationsFor(parsed.generator.output);
    return { generator: parsed.generator, format: parsed.format, bytes };
  } catch (e) {
    if (e instanceof ModelFormatError) {
      const hint = e.needs === 'output-activation' ? ' (pass --output ACT or --arch FILE)' : '';
      throw new InputError(`${path}: ${e.message}${hint}`);
    }
    if (e instanceof ParseLimitError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * A model file, or a `random:…` spec (the paper's Fig. 2 family), with a
 * label for output. A random spec is checked against the memory budget
 * (--memory-budget) with `signals` signals before its weights are drawn.
 */
export async function loadModelOrRandom(
  source: string,
  args?: ParsedArgs,
  signals = 0,
): Promise<{ generator: Generator; label: string }> {
  if (source.startsWith('random:')) {
    let spec;
    try {
      spec = await withCustomActivations(() => parseRandomSpec(source));
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    checkRandomBudget(source, spec.dims, signals, memoryBudgetFrom(args));
    const generator = randomGaussianGenerator(spec.dims, spec.output, spec.seed);
    const shape = imageShapeFlag(args);
    if (shape === undefined) return { generator, label: source };
    const problem = imageShapeProblem(shape, spec.dims[spec.dims.length - 1]);
    if (problem !== undefined) throw new InputError(`${source}: --image-shape: ${problem}`);
    return { generator: { ...generator, imageShape: shape }, label: source };
  }
  return { generator: (await loadModelFile(source, args)).generator, label: source };
}
