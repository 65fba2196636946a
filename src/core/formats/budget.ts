import { ModelFormatError } from './errors';

/**
 * Memory a reader may allocate for one model, in bytes: 2 GiB, i.e. 2^28
 * (268 million) float64 numbers counting every copy the reader makes (decode
 * buffers, transposes, BatchNorm folding). The largest generator in the paper
 * has 0.4 million parameters; a fully connected 4096 → 4096 → 4096 → 4096
 * network has 50 million, which fits with its copies. 2 GiB is also what a
 * 64-bit V8 heap can hold beside the rest of the app, and below the 4 GiB a
 * worker is given by the host. Readers take `budgetBytes` to change it.
 */
export const DEFAULT_MODEL_BUDGET_BYTES = 2 ** 31;

/**
 * Most layers a model may have. The paper's generators have 2 to 4; deep
 * fully connected generators have tens. A thousand layers is no generator a
 * pursuit could invert, and the cap stops a file of 10⁶ one-number layers.
 */
export const MAX_LAYERS = 1024;

/**
 * Most tensors in a weights-only file (safetensors, npz) and most nodes or
 * initializers in an ONNX graph: 2^17. A 1024-layer generator needs about
 * 6 tensors or 10 nodes a layer; the cap is ten times that, and it stops a
 * file of millions of empty entries before they are walked.
 */
export const MAX_ENTRIES = 2 ** 17;

/** The limits every reader checks. */
export interface ReadLimits {
  /** Bytes a reader may allocate for the model. @default DEFAULT_MODEL_BUDGET_BYTES */
  readonly budgetBytes?: number;
  /**
   * What the budget is called in a refusal, where it is not the model budget: the host lowers it
   * to its parse memory limit, and the message then names that (`over the 16 MiB parse memory limit`).
   * @default 'model budget'
   */
  readonly budgetName?: string;
}

/** `1.5 GiB`, `300 MiB`, `12 KiB`: a size for a message. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${bytes} bytes`;
  return `${v >= 100 ? Math.round(v) : Number(v.toPrecision(2))} ${units[u]}`;
}

/**
 * Refuses, before anything is allocated, a model whose reader would allocate
 * more than the budget: `npz: arrays need 8 GiB as float64, over the 2 GiB model budget`.
 * @param what the plural subject of the message (`arrays`, `weights and their folded copies`).
 * @param bytes the total the reader is about to allocate (NaN and Infinity are over any budget).
 */
export function checkBudget(format: string, what: string, bytes: number, limits: ReadLimits = {}): void {
  const budget = limits.budgetBytes ?? DEFAULT_MODEL_BUDGET_BYTES;
  if (bytes <= budget) return;
  const amount = Number.isFinite(bytes) ? formatBytes(bytes) : 'more memory than exists';
  throw new ModelFormatError(
    format,
    `${format}: ${what} need ${amount} as float64, over the ${formatBytes(budget)} ${limits.budgetName ?? 'model budget'}`,
  );
}

/** Refuses a count over its cap: `onnx: the file has 200000 graph nodes, over the limit of 131072`. */
export function checkCount(format: string, count: number, limit: number, noun: string): void {
  if (count > limit) {
    throw new ModelFormatError(format, `${format}: the file has ${count} ${noun}, over the limit of ${limit}`);
  }
}
