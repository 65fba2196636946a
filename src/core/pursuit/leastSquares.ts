import { choleskyInPlace, choleskySolveInPlace } from '../linalg/cholesky';
import { transpose } from '../linalg/dense';
import { gemm, gemmSubset } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';

export interface SupportLeastSquaresOptions {
  /** Per-row weights d_r ≥ 0 (indexed like A's rows): minimises ½‖D^{1/2}(c − A x)‖². @default all 1 */
  readonly weights?: Float64Array;
  /** Linear term ℓ: minimises … + ℓᵀx (λ·sign for a lasso on a fixed sign pattern, λ·1 for a nonnegative lasso). */
  readonly linear?: Float64Array;
  /** Ridge γ: adds (γ/2)‖x‖² (the Gaussian prior on z of Eq. 10). @default 0 */
  readonly ridge?: number;
  /**
   * AᵀA over all rows, when the caller keeps it: with every row in R and no
   * weights, the Gram matrix on T is then a sub-matrix (no product at all).
   */
  readonly gram?: Matrix;
}

export interface SupportLeastSquares {
  /** Solution on the columns T (length |T|), or undefined when the Gram matrix is not positive definite. */
  readonly x: Float64Array | undefined;
}

/**
 * Exact solve of min ½‖c_R − A[R, T] x‖² (+ ℓᵀx + γ/2‖x‖²) on a fixed row set
 * R and column set T, by Cholesky of the Gram matrix A[R,T]ᵀA[R,T] (formed
 * with the product kernel on index subsets: the weights are never copied)
 * plus one step of iterative refinement, which restores the accuracy the
 * normal equations lose on ill-conditioned supports.
 *
 * @param at Aᵀ, kept once per layer by the caller.
 * @param c right-hand side indexed like A's rows (only rows R are read).
 */
export function leastSquaresOnSupport(
  a: Matrix,
  at: Matrix,
  rows: Int32Array,
  cols: Int32Array,
  c: Float64Array,
  options: SupportLeastSquaresOptions = {},
): SupportLeastSquares {
  const t = cols.length;
  if (t === 0) return { x: new Float64Array(0) };
  const { weights, linear, ridge = 0, gram: fullGram } = options;
  const gram = matrix(t, t);
  if (weights === undefined && fullGram !== undefined && rows.length === a.rows) {
    // Cholesky reads only the lower triangle, so only that is copied out of AᵀA.
    const nn = fullGram.cols;
    for (let p = 0; p < t; p++) {
      const src = cols[p] * nn;
      for (let q = 0; q <= p; q++) gram.data[p * t + q] = fullGram.data[src + cols[q]];
    }
  } else if (weights === undefined) gemmSubset(at, a, gram, { rows: cols, inner: rows, cols });
  else weightedGram(a, rows, cols, weights, gram.data);
  for (let i = 0; i < t; i++) gram.data[i * t + i] += ridge;
  if (!choleskyInPlace(gram.data, t)) return { x: undefined };

  // The products A[R,T]ᵀv and A[R,T]x run along rows of Aᵀ (column T_q of A is row T_q of Aᵀ)
  // visiting R in order: the same sums in the same order as a walk over A's rows, bit for bit.
  // With every row in order (the last layer when all pixels are known) the loops run at stride
  // 1 without an index load per term; the oracle's profile had these products as its largest cost.
  const m = at.cols;
  const nr = rows.length;
  const v = new Float64Array(nr);
  let allRows = nr === m;
  for (let k = 0; allRows && k < nr; k++) allRows = rows[k] === k;
  const rhs = (out: Float64Array) => {
    for (let q = 0; q < t; q++) {
      const base = cols[q] * m;
      let s = 0;
      if (allRows) for (let k = 0; k < nr; k++) s += at.data[base + k] * v[k];
      else for (let k = 0; k < nr; k++) s += at.data[base + rows[k]] * v[k];
      out[q] = s;
    }
    return out;
  };
  for (let k = 0; k < nr; k++) v[k] = c[rows[k]] * (weights === undefined ? 1 : weights[rows[k]]);
  const x = rhs(new Float64Array(t));
  if (linear !== undefined) for (let q = 0; q < t; q++) x[q] -= linear[q];
  choleskySolveInPlace(gram.data, t, x);

  // One refinement step: solve for the correction from the true residual c − A x.
  const ax = new Float64Array(nr);
  for (let q = 0; q < t; q++) {
    const base = cols[q] * m;
    const xq = x[q];
    if (allRows) for (let k = 0; k < nr; k++) ax[k] += at.data[base + k] * xq;
    else for (let k = 0; k < nr; k++) ax[k] += at.data[base + rows[k]] * xq;
  }
  for (let k = 0; k < nr; k++) {
    const r = rows[k];
    v[k] = (c[r] - ax[k]) * (weights === undefined ? 1 : weights[r]);
  }
  const corr = rhs(new Float64Array(t));
  if (linear !== undefined) for (let q = 0; q < t; q++) corr[q] -= linear[q];
  for (let q = 0; q < t; q++) corr[q] -= ridge * x[q];
  choleskySolveInPlace(gram.data, t, corr);
  for (let q = 0; q < t; q++) x[q] += corr[q];
  return { x };
}

/**
 * G = A[R,T]ᵀ diag(w) A[R,T] (w ≥ 0) as QᵀQ with Q = diag(√w) A[R,T], so the
 * product runs on the product kernel (Gauss–Newton steps call this once per
 * iteration; a scalar loop over rank-one updates was most of their time).
 */
function weightedGram(a: Matrix, rows: Int32Array, cols: Int32Array, w: Float64Array, g: Float64Array): void {
  const t = cols.length;
  const m = rows.length;
  const qt = matrix(t, m);
  for (let k = 0; k < m; k++) {
    const r = rows[k];
    const s = Math.sqrt(w[r]);
    const row = r * a.cols;
    for (let q = 0; q < t; q++) qt.data[q * m + k] = s * a.data[row + cols[q]];
  }
  const q = transpose(qt);
  gemm(qt, q, matrix(t, t, g));
}
