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
  if (weights === undefined && fullGram !== undefined && rows.length === a.rows)
    // Cholesky reads only the lower triangle, so only that is copied out of AᵀA.
    lowerGramBlock(fullGram, cols, gram.data);
  else if (weights === undefined) gemmSubset(at, a, gram, { rows: cols, inner: rows, cols });
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

/**
 * leastSquaresOnSupport for many right-hand sides at once, each on its own
 * column set, every row of A and no weights: min ½‖c_j − A[:, T_j] x‖² for each
 * column c_j of `c`. The Gram blocks come from AᵀA and are factored per
 * column as in the single solve; the three products by A — Aᵀc_j, A x_j for
 * the residual, Aᵀr_j for the refinement — run as three products on the
 * kernel over every column of A (x_j zero off T_j). Those multiply about
 * twice as many entries as the single solve's products over T_j, at the
 * kernel's speed, several times the scalar loops' (the layer-wise Oracle's
 * profile had them as its largest cost). The same solutions, not the same
 * bits: the kernel sums in blocks of its inner dimension.
 *
 * @param c m × k right-hand sides (m = A's rows), one column per system.
 * @returns per column the solution on T_j, or undefined where its Gram block is not positive definite.
 */
export function leastSquaresOnSupports(
  a: Matrix,
  at: Matrix,
  gram: Matrix,
  cols: readonly Int32Array[],
  c: Matrix,
): (Float64Array | undefined)[] {
  const k = c.cols;
  const n = a.cols;
  const rhs = gemm(at, c, matrix(n, k));
  const factors: (Float64Array | undefined)[] = [];
  const xs: (Float64Array | undefined)[] = [];
  const full = matrix(n, k);
  for (let j = 0; j < k; j++) {
    const T = cols[j];
    const t = T.length;
    const factor = lowerGramBlock(gram, T);
    if (t > 0 && !choleskyInPlace(factor, t)) {
      factors.push(undefined);
      xs.push(undefined);
      continue;
    }
    const x = new Float64Array(t);
    for (let q = 0; q < t; q++) x[q] = rhs.data[T[q] * k + j];
    choleskySolveInPlace(factor, t, x);
    for (let q = 0; q < t; q++) full.data[T[q] * k + j] = x[q];
    factors.push(factor);
    xs.push(x);
  }
  // One refinement step, as in the single solve: the correction from the true residual c − A x.
  const residual = gemm(a, full, matrix(a.rows, k));
  for (let i = 0; i < residual.data.length; i++) residual.data[i] = c.data[i] - residual.data[i];
  const back = gemm(at, residual, rhs);
  return xs.map((x, j) => {
    const factor = factors[j];
    if (x === undefined || factor === undefined) return undefined;
    const T = cols[j];
    const corr = new Float64Array(T.length);
    for (let q = 0; q < T.length; q++) corr[q] = back.data[T[q] * k + j];
    choleskySolveInPlace(factor, T.length, corr);
    for (let q = 0; q < T.length; q++) x[q] += corr[q];
    return x;
  });
}

/** The lower triangle of AᵀA[T, T], row-major (what Cholesky reads). */
function lowerGramBlock(
  fullGram: Matrix,
  cols: Int32Array,
  out: Float64Array = new Float64Array(cols.length * cols.length),
): Float64Array {
  const t = cols.length;
  const nn = fullGram.cols;
  const src = fullGram.data;
  for (let p = 0; p < t; p++) {
    const from = cols[p] * nn;
    const to = p * t;
    for (let q = 0; q <= p; q++) out[to + q] = src[from + cols[q]];
  }
  return out;
}

/** A[R, T] read through Aᵀ (data d, m = A's row count): rows T_q of Aᵀ at positions R_k; R undefined: every row in order. */
interface Block {
  readonly d: Float64Array;
  readonly m: number;
  readonly rows: Int32Array | undefined;
  readonly cols: Int32Array;
}

/**
 * out_q = Σ_k Aᵀ[T_q, R_k] v_k, each sum over k in order; four sums at a time
 * share each load of v (and of R_k on a row subset), and their four chains of
 * additions overlap where one chain waits on each addition; each is still its
 * own sum in the same order, so the same bits.
 */
function transposedTimes({ d, m, rows, cols }: Block, v: Float64Array, out: Float64Array): Float64Array {
  const t = cols.length;
  const n = v.length;
  let q = 0;
  for (; q + 3 < t; q += 4) {
    const [b0, b1, b2, b3] = [cols[q] * m, cols[q + 1] * m, cols[q + 2] * m, cols[q + 3] * m];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    if (rows === undefined)
      for (let k = 0; k < n; k++) {
        const vk = v[k];
        s0 += d[b0 + k] * vk;
        s1 += d[b1 + k] * vk;
        s2 += d[b2 + k] * vk;
        s3 += d[b3 + k] * vk;
      }
    else
      for (let k = 0; k < n; k++) {
        const vk = v[k];
        const r = rows[k];
        s0 += d[b0 + r] * vk;
        s1 += d[b1 + r] * vk;
        s2 += d[b2 + r] * vk;
        s3 += d[b3 + r] * vk;
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
 * out_k = Σ_q Aᵀ[T_q, R_k] x_q, each sum over q in order (out starts at 0);
 * four terms per pass over out (on every row or a subset), added one after
 * another as the plain loop adds them (the same bits).
 */
function times({ d, m, rows, cols }: Block, x: Float64Array, out: Float64Array): Float64Array {
  const t = cols.length;
  const n = out.length;
  let q = 0;
  for (; q + 3 < t; q += 4) {
    const [b0, b1, b2, b3] = [cols[q] * m, cols[q + 1] * m, cols[q + 2] * m, cols[q + 3] * m];
    const [x0, x1, x2, x3] = [x[q], x[q + 1], x[q + 2], x[q + 3]];
    if (rows === undefined)
      for (let k = 0; k < n; k++) {
        let s = out[k];
        s += d[b0 + k] * x0;
        s += d[b1 + k] * x1;
        s += d[b2 + k] * x2;
        s += d[b3 + k] * x3;
        out[k] = s;
      }
    else
      for (let k = 0; k < n; k++) {
        const r = rows[k];
        let s = out[k];
        s += d[b0 + r] * x0;
        s += d[b1 + r] * x1;
        s += d[b2 + r] * x2;
        s += d[b3 + r] * x3;
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
