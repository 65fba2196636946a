import type { ParsedArgs } from './args';
import { UsageError } from './io';

/**
 * Memory budgets for what users type: a `random:` spec and a signal count
 * are checked against what they need before anything is allocated, so a
 * typo like `random:20000,20000,20000` or `--count 2e5` is refused in a line
 * instead of swapping the machine for minutes.
 */

/** Default budget: 4 GB, what a laptop can give one command without swapping. */
export const DEFAULT_MEMORY_BUDGET = 4e9;

/**
 * Float64 copies of every layer's activations kept per signal: the true
 * layers, the observation, each method's estimates and its solver's work
 * arrays. An estimate, deliberately on the generous side.
 */
export const WORKING_COPIES = 8;

export const MEMORY_BUDGET_USAGE = `  --memory-budget SIZE memory a random: model and the signals may need, e.g. 8GB or 512MB
                       (default 4GB); estimated before anything is allocated`;

/** Parses `4GB`, `512MB`, `1.5G`, `800M` or a number of bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*(b|k|kb|m|mb|g|gb|t|tb)?\s*$/i.exec(text);
  if (m === null) return undefined;
  const scale: Record<string, number> = { b: 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
  const bytes = Number(m[1]) * scale[(m[2] ?? 'b').toLowerCase()[0]];
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

/** The budget from `--memory-budget`, else the default. @throws UsageError on a bad size. */
export function memoryBudgetFrom(args?: ParsedArgs): number {
  const value = args?.flags.get('memory-budget');
  if (value === undefined) return DEFAULT_MEMORY_BUDGET;
  const bytes = typeof value === 'string' ? parseSize(value) : undefined;
  if (bytes === undefined) throw new UsageError(`--memory-budget must be a size such as 8GB or 512MB, got "${value}"`);
  return bytes;
}

/** Bytes a generator of widths `dims` and `signals` signals need, float64. */
export function estimateMemory(dims: readonly number[], signals: number) {
  let weights = 0;
  for (let i = 0; i + 1 < dims.length; i++) weights += (dims[i + 1] * dims[i] + dims[i + 1]) * 8;
  const widths = dims.reduce((a, b) => a + b, 0);
  const signalBytes = signals * widths * 8 * WORKING_COPIES;
  return { weights, signals: signalBytes, total: weights + signalBytes };
}

/**
 * Bytes a thread that inverts holds beyond the weights once the solvers have
 * prepared them (pursuit/prepared.ts, linalg/wasmKernel.ts, pursuit/warmStart.ts):
 * per m × n layer Wᵀ, the product kernel's packed panels of W and of Wᵀ
 * (3·m·n), and WᵀW (n²); for a tall last layer the Cholesky factor of its
 * WᵀW (n²). On random:64,1024,4096,4096:tanh (`npm run bench -- scale`)
 * weights + this is 0.95 GB; one thread measured 0.99 GB of ArrayBuffers and
 * two worker threads 2.55 GB peak resident with the main thread.
 */
export function preparedBytes(dims: readonly number[]): number {
  let bytes = 0;
  for (let i = 0; i + 1 < dims.length; i++) bytes += (3 * dims[i + 1] * dims[i] + dims[i] * dims[i]) * 8;
  const [n, m] = dims.slice(-2);
  if (m >= n) bytes += n * n * 8;
  return bytes;
}

/** `6.4 GB`, `120 MB`, `12 kB`, `0 B` (decimal units). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1).replace(/\.0$/, '')} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}

/**
 * Refuses a model of widths `dims` with `signals` signals when their
 * estimate is over `budget`, naming the estimate and the way out.
 * @throws UsageError
 */
export function checkMemoryBudget(label: string, dims: readonly number[], signals: number, budget: number): void {
  const need = estimateMemory(dims, signals);
  if (need.total <= budget) return;
  const what = signals > 0 ? `${label} with ${signals.toLocaleString('en-US')} signals` : label;
  throw new UsageError(
    `${what} needs about ${formatBytes(need.total)} (weights ${formatBytes(need.weights)} + signals ${formatBytes(need.signals)}), over the ${formatBytes(budget)} budget; use --memory-budget to raise it`,
  );
}

/** The same check for a `random:` spec, before its weights are drawn. */
export const checkRandomBudget = checkMemoryBudget;

/**
 * Worker threads a job may start within `budget`: each holds its own copy of
 * the weights (the pool hands every worker a structured clone), their
 * prepared forms (preparedBytes: for a square 4096-wide layer five times the
 * weights) and one chunk of `chunkSignals` signals, beside the main thread's
 * copy of the weights.
 * Returns `workers` when given and within budget, else as many as fit up to
 * `cores`, and a note to print when the budget, not the cores, set the number.
 * @throws UsageError when not even one worker fits, or when `workers` do not.
 */
export function workersWithinBudget(
  label: string,
  dims: readonly number[],
  chunkSignals: number,
  budget: number,
  workers: number | undefined,
  cores: number,
): { workers: number; note?: string } {
  const chunk = estimateMemory(dims, chunkSignals);
  const prepared = preparedBytes(dims);
  const perWorker = chunk.total + prepared;
  const fit = Math.floor((budget - chunk.weights) / perWorker);
  const need = (n: number) =>
    `about ${formatBytes(chunk.weights + n * perWorker)} (${n + 1} copies of the ${formatBytes(chunk.weights)} of weights: one per worker thread and the main thread's, + ${formatBytes(prepared)} per worker of their transposes, Gram matrices and packed panels, + chunks of ${chunkSignals} signals)`;
  if (fit < 1)
    throw new UsageError(
      `${label} with one worker thread needs ${need(1)}, over the ${formatBytes(budget)} budget; use --memory-budget to raise it`,
    );
  if (workers !== undefined && workers > fit)
    throw new UsageError(
      `--workers ${workers}: ${label} needs ${need(workers)}, over the ${formatBytes(budget)} budget, which holds ${fit} worker(s); give fewer --workers or raise --memory-budget`,
    );
  if (workers !== undefined) return { workers };
  if (fit >= cores) return { workers: cores };
  return {
    workers: fit,
    note: `using ${fit} worker thread(s) of ${cores} cores: each holds a copy of the weights and their prepared forms, and ${fit} fit in the ${formatBytes(budget)} memory budget (--memory-budget raises it)`,
  };
}
