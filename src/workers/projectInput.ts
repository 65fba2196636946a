/**
 * "Invert your own image", worker side: decodes the file the user dropped
 * (PNG, JPEG, .npy, JSON; optionally a mask image) with core's signalInput,
 * hashes it, and returns the fields of a `project` job spec plus a preview
 * to show — all off the renderer's main thread.
 */
import { projectInputFields } from '../core/experiments/projectInput';
import {
  pixelRange,
  readMaskImage,
  readSignalInput,
  SignalInputError,
  squareSide,
  type ImageRecord,
  type MaskRecord,
  type SignalFormat,
  type ValueRange,
} from '../core/formats/signalInput';
import type { OutputActivation } from '../core/model/activations';
import { err, ok, type Result } from '../shared/result';

export interface ProjectInputRequest {
  readonly fileName: string;
  /** The file's bytes, or the file itself (a Blob, read here rather than on the page). */
  readonly bytes: Uint8Array | Blob;
  /** The model's output length n. */
  readonly n: number;
  /** The model's output activation (picks the default pixel range). */
  readonly output: OutputActivation;
  /** Map pixels onto [lo, hi] instead of the default (images only). */
  readonly range?: readonly [number, number];
  readonly mask?: { readonly fileName: string; readonly bytes: Uint8Array | Blob };
}

/** What the user sees of the decoded input before the job starts. */
export interface ProjectInputPreview {
  /** The raw spec's input fields (signals, hidden, input, mask, offRangeThreshold). */
  readonly fields: Record<string, unknown>;
  readonly format: SignalFormat;
  readonly count: number;
  readonly sha256: string;
  readonly image?: ImageRecord;
  readonly range?: ValueRange;
  readonly shape?: readonly number[];
  readonly mask?: MaskRecord;
  /** The threshold an image's quantisation called for, and why. */
  readonly quantised?: { value: number; reason: string };
  /** The first signal as 8-bit gray (side × side, hidden pixels 0), when n is square. */
  readonly preview?: { readonly side: number; readonly gray: Uint8Array; readonly hidden: readonly number[] };
}

const bytesOf = async (source: Uint8Array | Blob) =>
  source instanceof Uint8Array ? source : new Uint8Array(await source.arrayBuffer());

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Decodes a signal file for a `project` job; an unreadable or ill-sized file is an `input` error. */
export async function readProjectInput(request: ProjectInputRequest): Promise<Result<ProjectInputPreview>> {
  const { n, output, fileName } = request;
  const bytes = await bytesOf(request.bytes);
  const maskBytes = request.mask === undefined ? undefined : await bytesOf(request.mask.bytes);
  try {
    const input = readSignalInput(bytes, fileName, { n, output, ...(request.range ? { range: request.range } : {}) });
    const mask =
      request.mask === undefined
        ? undefined
        : {
            ...readMaskImage(
              maskBytes!,
              request.mask.fileName,
              n,
              input.image !== undefined ? [input.image.width, input.image.height] : undefined,
            ),
            file: { file: request.mask.fileName, sha256: await sha256Hex(maskBytes!) },
          };
    const sha256 = await sha256Hex(bytes);
    const { fields, quantised } = projectInputFields(input, { file: fileName, sha256 }, mask);
    const side = squareSide(n);
    let preview: ProjectInputPreview['preview'];
    if (side !== undefined) {
      const { lo, hi } = input.range ?? pixelRange(output, request.range);
      const y = input.signals[0];
      const gray = new Uint8Array(n);
      for (let i = 0; i < n; i++) gray[i] = Math.round(255 * Math.min(1, Math.max(0, (y[i] - lo) / (hi - lo))));
      preview = { side, gray, hidden: mask?.hidden ?? [] };
    }
    return ok({
      fields,
      format: input.format,
      count: input.signals.length,
      sha256,
      ...(input.image !== undefined ? { image: input.image } : {}),
      ...(input.range !== undefined ? { range: input.range } : {}),
      ...(input.shape !== undefined ? { shape: input.shape } : {}),
      ...(mask !== undefined ? { mask: mask.record } : {}),
      ...(quantised !== undefined ? { quantised } : {}),
      ...(preview !== undefined ? { preview } : {}),
    });
  } catch (e) {
    if (e instanceof SignalInputError) return err('bad-request', e.message);
    throw e;
  }
}
