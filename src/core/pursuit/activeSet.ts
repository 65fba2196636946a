import type { Matrix } from '../linalg/matrix';
import { leastSquaresOnSupport } from './leastSquares';

export interface ActiveSetProblem {
  readonly W: Matrix;
  readonly Wt: Matrix;
  /** WᵀW over all rows, to slice instead of multiply when every row is used. */
  readonly gram?: Matrix;
  /** Rows R of the least-squares term. */
  readonly rows: Int32Array;
  /** c, indexed like W's rows (rows R are read). */
  readonly target: Float64Array;
  readonly lambda: number;
  /** x ≥ 0 with λ1ᵀx (nonnegative lasso), or λ‖x‖₁ with free signs. */
  readonly nonnegative: boolean;
  /** Starting support guess (sorted). */
  readonly guess: Int32Array;
  /** For the signed lasso: the iterate whose signs seed the guess (length n). */
  readonly signsFrom?: Float64Array;
  /** Gradient tolerance relative to max_c |(W[R,:]ᵀ c)_c| + λ. @default 1e-9 */
  readonly tolerance?: number;
  /** Rounds at most (each moves at least one index). @default 40 */
  readonly maxRounds?: number;
}

/**
 * Exact solution of min ½‖c_R − W[R,:] x‖² + λ‖x‖₁ (or + λ1ᵀx with x ≥ 0)
 * by active-set rounds from a support guess — Lawson–Hanson style: solve
 * least squares on the active set T with the sign pattern's linear term;
 * drop entries that came out with the wrong sign or negligible (≤ 1e-9·max);
 * else add the index outside T that violates its optimality condition most
 * (nonnegative: g_c + λ < −tol; signed: |g_c| > λ + tol, entering with sign −sign g_c).
 * When no index moves, the point satisfies the KKT conditions and is returned.
 *
 * @returns the full-length solution, or undefined (singular system, rounds exhausted).
 */
export function activeSetLasso(p: ActiveSetProblem): Float64Array | undefined {
  const { W, Wt, gram, rows, target, lambda, nonnegative } = p;
  const n = W.cols;
  const m = W.rows;
  const maxRounds = p.maxRounds ?? 40;
  let scale = lambda;
  {
    let mx = 0;
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (const r of rows) s += Wt.data[c * m + r] * target[r];
      mx = Math.max(mx, Math.abs(s));
    }
    scale += mx;
  }
  const tol = (p.tolerance ?? 1e-9) * Math.max(scale, Number.MIN_VALUE);
  const sign = new Float64Array(n);
  for (const c of p.guess) sign[c] = nonnegative ? 1 : Math.sign(p.signsFrom?.[c] ?? 1) || 1;
  const resid = new Float64Array(m);
  const x = new Float64Array(n);

  for (let round = 0; round < maxRounds; round++) {
    const support = Int32Array.from({ length: n }, (_, c) => c).filter((c) => sign[c] !== 0);
    const linear = lambda === 0 ? undefined : Float64Array.from(support, (c) => lambda * sign[c]);
    const xT = leastSquaresOnSupport(W, Wt, rows, support, target, { gram, linear }).x;
    if (xT === undefined) return undefined;
    let max = 0;
    for (const v of xT) max = Math.max(max, Math.abs(v));
    let dropped = false;
    for (let q = 0; q < support.length; q++) {
      if (xT[q] * sign[support[q]] <= 1e-9 * max) {
        sign[support[q]] = 0;
        dropped = true;
      }
    }
    if (dropped) continue;
    x.fill(0);
    for (let q = 0; q < support.length; q++) x[support[q]] = xT[q];
    for (const r of rows) {
      let s = -target[r];
      for (const c of support) s += W.data[r * n + c] * x[c];
      resid[r] = s;
    }
    let enter = -1;
    let enterSign = 1;
    let worst = 0;
    for (let c = 0; c < n; c++) {
      if (sign[c] !== 0) continue;
      let g = 0;
      for (const r of rows) g += Wt.data[c * m + r] * resid[r];
      const violation = nonnegative ? -(g + lambda) - tol : Math.abs(g) - lambda - tol;
      if (violation > worst) {
        worst = violation;
        enter = c;
        enterSign = nonnegative ? 1 : -Math.sign(g);
      }
    }
    if (enter < 0) return x;
    sign[enter] = enterSign;
  }
  return undefined;
}
