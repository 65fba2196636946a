import { gemmSubset } from './gemm';
import { matrix, type Matrix } from './matrix';
import { createRng } from './rng';

export interface PowerIterationResult {
  /** Estimate of λ_max(AᵀA) = σ_max(A)²; from below, converging. */
  readonly lambda: number;
  readonly iterations: number;
  /** Relative change of the estimate at the last iteration. */
  readonly change: number;
}

/**
 * λ_max(AᵀA) by power iteration on AᵀA, from a seeded random start:
 * stops when the estimate changes by less than `tolerance` (relative) or
 * after `maxIterations`. The estimate approaches λ_max from below, so step
 * sizes built on it add a safety margin (or backtrack).
 *
 * @param at Aᵀ (callers keep it per layer); `rows` restricts A to a row subset.
 */
export function powerIterationGram(
  a: Matrix,
  at: Matrix,
  options: { rows?: Int32Array; tolerance?: number; maxIterations?: number; seed?: number } = {},
): PowerIterationResult {
  const { rows, tolerance = 1e-10, maxIterations = 500, seed = 0 } = options;
  const n = a.cols;
  const m = rows?.length ?? a.rows;
  if (n === 0 || m === 0) return { lambda: 0, iterations: 0, change: 0 };
  const v = matrix(n, 1, createRng(seed).fillGaussian(new Float64Array(n)));
  const av = matrix(m, 1);
  // A v scattered back to full length, so the inner index of Aᵀ[:, rows] reads it by row number.
  const avFull = matrix(a.rows, 1);
  const w = matrix(n, 1);
  let lambda = 0;
  let change = Infinity;
  let it = 0;
  normalize(v.data);
  while (it < maxIterations) {
    it++;
    gemmSubset(a, v, av, { rows });
    if (rows === undefined) avFull.data.set(av.data);
    else for (let k = 0; k < m; k++) avFull.data[rows[k]] = av.data[k];
    gemmSubset(at, avFull, w, { inner: rows });
    const next = Math.sqrt(w.data.reduce((s, x) => s + x * x, 0));
    change = Math.abs(next - lambda) / Math.max(next, Number.MIN_VALUE);
    lambda = next;
    if (lambda === 0) break;
    for (let i = 0; i < n; i++) v.data[i] = w.data[i] / lambda;
    if (change < tolerance) break;
  }
  return { lambda, iterations: it, change };
}

function normalize(x: Float64Array): void {
  const s = Math.sqrt(x.reduce((acc, v) => acc + v * v, 0));
  if (s > 0) for (let i = 0; i < x.length; i++) x[i] /= s;
}
