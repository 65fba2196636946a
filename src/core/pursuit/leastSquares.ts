import { choleskyInPlace, choleskySolveInPlace } from '../linalg/cholesky';
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
  // The oracle's profile had these products as its largest cost.
  const nr = rows.length;
  let allRows = nr === at.cols;
  for (let k = 0; allRows && k < nr; k++) allRows = rows[k] === k;
  const block: Block = { d: at.data, m: at.cols, rows: allRows ? undefined : rows, cols };
  const v = new Float64Array(nr);
  for (let k = 0; k < nr; k++) v[k] = c[rows[k]] * (weights === undefined ? 1 : weights[rows[k]]);
  const x = transposedTimes(block, v, new Float64Array(t));
  if (linear !== undefined) for (let q = 0; q < t; q++) x[q] -= linear[q];
  choleskySolveInPlace(gram.data, t, x);

  // One refinement step: solve for the correction from the true residual c − A x.
  const ax = times(block, x, new Float64Array(nr));
  for (let k = 0; k < nr; k++) {
    const r = rows[k];
    v[k] = (c[r] - ax[k]) * (weights === undefined ? 1 : weights[r]);
  }
  const corr = transposedTimes(block, v, new Float64Array(t));
  if (linear !== undefined) for (let q = 0; q < t; q++) corr[q] -= linear[q];
  for (let q = 0; q < t; q++) corr[q] -= ridge * x[q];
  choleskySolveInPlace(gram.data, t, corr);
  for (let q = 0; q < t; q++) x[q] += corr[q];
  return { x };
}

/** A[R, T] read through Aᵀ (data d, m = A's row count): rows T_q of Aᵀ at positions R_k; R undefined: every row in order. */
interface Block {
  readonly d: Float64Array;
  readonly m: number;
  readonly rows: Int32Array | undefined;
  readonly cols: Int32Array;
}

/**
 * out_q = Σ_k Aᵀ[T_q, R_k] v_k, each sum over k in order; on every row, four
 * sums at a time share each load of v (stride 1, no index loads; each is
 * still its own sum in the same order, so the same bits).
 */
function transposedTimes({ d, m, rows, cols }: Block, v: Float64Array, out: Float64Array): Float64Array {
  const t = cols.length;
  const n = v.length;
  let q = 0;
  if (rows === undefined)
    for (; q + 3 < t; q += 4) {
      const [b0, b1, b2, b3] = [cols[q] * m, cols[q + 1] * m, cols[q + 2] * m, cols[q + 3] * m];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < n; k++) {
        const vk = v[k];
        s0 += d[b0 + k] * vk;
        s1 += d[b1 + k] * vk;
        s2 += d[b2 + k] * vk;
        s3 += d[b3 + k] * vk;
      }
      out[q] = s0;
      out[q + 1] = s1;
      out[q + 2] = s2;
      out[q + 3] = s3;
    }
  for (; q < t; q++) {
    const base = cols[q] * m;
    let s = 0;
    if (rows === undefined) for (let k = 0; k < n; k++) s += d[base + k] * v[k];
    else for (let k = 0; k < n; k++) s += d[base + rows[k]] * v[k];
    out[q] = s;
  }
  return out;
}

/**
 * out_k = Σ_q Aᵀ[T_q, R_k] x_q, each sum over q in order (out starts at 0); on
 * every row, four terms per pass over out, added one after another as the
 * plain loop adds them (the same bits).
 */
function times({ d, m, rows, cols }: Block, x: Float64Array, out: Float64Array): Float64Array {
  const t = cols.length;
  const n = out.length;
  let q = 0;
  if (rows === undefined)
    for (; q + 3 < t; q += 4) {
      const [b0, b1, b2, b3] = [cols[q] * m, cols[q + 1] * m, cols[q + 2] * m, cols[q + 3] * m];
      const [x0, x1, x2, x3] = [x[q], x[q + 1], x[q + 2], x[q + 3]];
      for (let k = 0; k < n; k++) {
        let s = out[k];
        s += d[b0 + k] * x0;
        s += d[b1 + k] * x1;
        s += d[b2 + k] * x2;
        s += d[b3 + k] * x3;
        out[k] = s;
      }
    }
  for (; q < t; q++) {
    const base = cols[q] * m;
    const xq = x[q];
    if (rows === undefined) for (let k = 0; k < n; k++) out[k] += d[base + k] * xq;
    else for (let k = 0; k < n; k++) out[k] += d[base + rows[k]] * xq;
  }
  return out;
}

/**
 * G = A[R,T]ᵀ diag(w) A[R,T] as one product on the kernel,
 * (A[R,T]ᵀ diag(sign(w)√|w|)) · (diag(√|w|) A[R,T]); w may have either sign
 * (a Newton matrix's curvature term). Gauss–Newton and Newton steps call this
 * once per iteration, so `scratch` (|R| × |T| and |T| × |R|) can be kept
 * across calls; a scalar loop over the rows' outer products was most of their time.
 */
export function weightedGram(
  a: Matrix,
  rows: Int32Array,
  cols: Int32Array,
  w: Float64Array,
  g: Float64Array,
  scratch: { readonly Q: Matrix; readonly Qt: Matrix } = {
    Q: matrix(rows.length, cols.length),
    Qt: matrix(cols.length, rows.length),
  },
): void {
  const t = cols.length;
  const m = rows.length;
  const { Q, Qt } = scratch;
  for (let k = 0; k < m; k++) {
    const r = rows[k];
    const root = Math.sqrt(Math.abs(w[r]));
    const signed = w[r] < 0 ? -root : root;
    const row = r * a.cols;
    for (let q = 0; q < t; q++) {
      const v = a.data[row + cols[q]];
      Q.data[k * t + q] = root * v;
      Qt.data[q * m + k] = signed * v;
    }
  }
  gemm(Qt, Q, matrix(t, t, g));
}
