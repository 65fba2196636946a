/**
 * From a decoded signal file to the fields of a `project` job spec: the
 * signals, the hidden pixels, what was read (file name, SHA-256, decode
 * record) and the off-range threshold an image's quantisation calls for.
 * One builder for the CLI (`pursuit-lab project`) and the app's "your own
 * image" step, so both record an input the same way.
 */
import type { MaskRecord, SignalInput } from '../formats/signalInput';
import { DEFAULT_OFF_RANGE_THRESHOLD } from './project';

/**
 * The default off-range threshold for an image: an 8-bit file of an exact
 * G(z) is off by its quantisation (step q = (hi − lo)/(2^bits − 1), RMS
 * q/√12 a pixel), about 0.5% relative — above the 1e-3 an array gets. So an
 * image's threshold is twice its quantisation error relative to ‖M y‖, when
 * that is larger. (A JPEG's lossy compression errs more: give --off-range.)
 */
export function imageOffRange(
  input: SignalInput,
  hidden: readonly number[],
): { value: number; reason: string } | undefined {
  if (input.image === undefined || input.range === undefined) return undefined;
  const skip = new Set(hidden);
  const y = input.signals[0];
  let yy = 0;
  let known = 0;
  for (let i = 0; i < y.length; i++)
    if (!skip.has(i)) {
      yy += y[i] * y[i];
      known++;
    }
  const q = Math.abs(input.range.hi - input.range.lo) / (2 ** input.image.bitDepth - 1);
  const value = yy > 0 ? (2 * (q / Math.sqrt(12)) * Math.sqrt(known)) / Math.sqrt(yy) : 0;
  if (!(value > DEFAULT_OFF_RANGE_THRESHOLD)) return undefined;
  return {
    value: Number(value.toPrecision(3)),
    reason: `twice the ${input.image.bitDepth}-bit quantisation error relative to ‖M y‖ (above the default ${DEFAULT_OFF_RANGE_THRESHOLD})`,
  };
}

/** A file as the spec records it. */
export interface InputFile {
  /** Its name or path as given. */
  readonly file: string;
  /** SHA-256 of its bytes, hex. */
  readonly sha256: string;
}

/**
 * The input-dependent fields of a raw `project` spec (add `kind`, `model`,
 * `methods`, `seed` and pass it to normalizeJobSpec).
 * @param offRange the user's threshold; when absent an image gets `imageOffRange`'s.
 * @returns the fields, and the quantisation threshold applied (to tell the user), if any.
 */
export function projectInputFields(
  input: SignalInput,
  file: InputFile,
  mask?: { readonly hidden: number[]; readonly record: MaskRecord; readonly file: InputFile },
  offRange?: number,
): { fields: Record<string, unknown>; quantised?: { value: number; reason: string } } {
  const quantised = offRange === undefined ? imageOffRange(input, mask?.hidden ?? []) : undefined;
  const { signals, format, ...record } = input;
  const threshold = offRange ?? quantised?.value;
  return {
    fields: {
      signals,
      ...(mask !== undefined ? { hidden: mask.hidden } : {}),
      input: {
        file: file.file,
        sha256: file.sha256,
        format,
        ...record,
        ...(quantised !== undefined ? { offRangeThreshold: quantised } : {}),
      },
      ...(mask !== undefined
        ? { mask: { file: mask.file.file, sha256: mask.file.sha256, format: 'image', ...mask.record } }
        : {}),
      ...(threshold !== undefined ? { offRangeThreshold: threshold } : {}),
    },
    ...(quantised !== undefined ? { quantised } : {}),
  };
}
