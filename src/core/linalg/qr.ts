import { norm2 } from './dense';
import type { Matrix } from './matrix';

/** Machine epsilon of float64. */
export const EPS = 2 ** -52;

export interface QrLeastSquares {
  /** The minimiser of ‖A x − b‖₂ (basic solution: zero on dropped columns when rank-deficient). */
  readonly x: Float64Array;
  /** Numerical rank found by column-pivoted QR with `tolerance`. */
  readonly rank: number;
  /** |R_kk| below `tolerance · |R_11|` count as zero. */
  readonly tolerance: number;
  /** ‖A x − b‖₂. */
  readonly residualNorm: number;
}

/**
 * Householder QR with column pivoting of an m × n matrix (any shape), on a
 * copy. Returns the factors packed LAPACK-style (R in the upper triangle,
 * Householder vectors below with their scalars in `tau`) and the pivot order.
 */
export function pivotedQr(a: Matrix): { qr: Float64Array; tau: Float64Array; perm: Int32Array; m: number; n: number } {
  const { rows: m, cols: n } = a;
  const qr = Float64Array.from(a.data);
  const tau = new Float64Array(Math.min(m, n));
  const perm = Int32Array.from({ length: n }, (_, j) => j);
  const colNorms = new Float64Array(n);
  for (let j = 0; j < n; j++) colNorms[j] = norm2(qr, m, j, n) ** 2;

  for (let k = 0; k < Math.min(m, n); k++) {
    // Pivot: the remaining column of largest norm (recomputed exactly; n is small here).
    let best = k;
    let bestNorm = -1;
    for (let j = k; j < n; j++) {
      const s = norm2(qr, m - k, k * n + j, n);
      colNorms[j] = s;
      if (s > bestNorm) {
        bestNorm = s;
        best = j;
      }
    }
    if (best !== k) {
      for (let i = 0; i < m; i++) {
        const t = qr[i * n + k];
        qr[i * n + k] = qr[i * n + best];
        qr[i * n + best] = t;
      }
      const tp = perm[k];
      perm[k] = perm[best];
      perm[best] = tp;
    }
    // Householder reflector for column k below the diagonal.
    const alpha = qr[k * n + k];
    const normX = norm2(qr, m - k, k * n + k, n);
    if (normX === 0) {
      tau[k] = 0;
      continue;
    }
    const beta = alpha >= 0 ? -normX : normX;
    tau[k] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = k + 1; i < m; i++) qr[i * n + k] *= scale;
    qr[k * n + k] = beta;
    // Apply H = I − τ v vᵀ (v₀ = 1) to the remaining columns.
    for (let j = k + 1; j < n; j++) {
      let s = qr[k * n + j];
      for (let i = k + 1; i < m; i++) s += qr[i * n + k] * qr[i * n + j];
      s *= tau[k];
      qr[k * n + j] -= s;
      for (let i = k + 1; i < m; i++) qr[i * n + j] -= s * qr[i * n + k];
    }
  }
  return { qr, tau, perm, m, n };
}

/** Default rank tolerance: max(m, n) · ε, relative to |R₁₁| (as MATLAB's rank, with pivoted QR in place of the SVD). */
export function defaultRankTolerance(m: number, n: number): number {
  return Math.max(m, n) * EPS;
}

function rankOf(qr: Float64Array, m: number, n: number, tolerance: number): number {
  const k = Math.min(m, n);
  if (k === 0) return 0;
  const r11 = Math.abs(qr[0]);
  if (r11 === 0) return 0;
  let rank = 0;
  while (rank < k && Math.abs(qr[rank * n + rank]) > tolerance * r11) rank++;
  return rank;
}

/**
 * Numerical rank of A: the number of |R_kk| of a column-pivoted QR above
 * `tolerance · |R₁₁|`. Pivoted QR reveals rank reliably in practice (not in
 * every contrived case, where an SVD would be needed).
 */
export function numericalRank(a: Matrix, tolerance = defaultRankTolerance(a.rows, a.cols)): number {
  const { qr, m, n } = pivotedQr(a);
  return rankOf(qr, m, n, tolerance);
}

/**
 * Least squares min ‖A x − b‖₂ by column-pivoted Householder QR; stable for
 * ill-conditioned A (no normal equations). Rank-deficient A gets the basic
 * solution on the first `rank` pivoted columns.
 */
export function qrLeastSquares(
  a: Matrix,
  b: ArrayLike<number>,
  tolerance = defaultRankTolerance(a.rows, a.cols),
): QrLeastSquares {
  const { qr, tau, perm, m, n } = pivotedQr(a);
  if (b.length !== m) throw new RangeError(`qrLeastSquares: b has ${b.length} entries, A has ${m} rows`);
  const rank = rankOf(qr, m, n, tolerance);
  const y = Float64Array.from(b);
  // y ← Qᵀ b.
  for (let k = 0; k < Math.min(m, n); k++) {
    if (tau[k] === 0) continue;
    let s = y[k];
    for (let i = k + 1; i < m; i++) s += qr[i * n + k] * y[i];
    s *= tau[k];
    y[k] -= s;
    for (let i = k + 1; i < m; i++) y[i] -= s * qr[i * n + k];
  }
  // Back-substitute R[0:rank, 0:rank] z = y[0:rank].
  const z = new Float64Array(n);
  for (let i = rank - 1; i >= 0; i--) {
    let s = y[i];
    for (let j = i + 1; j < rank; j++) s -= qr[i * n + j] * z[j];
    z[i] = s / qr[i * n + i];
  }
  const x = new Float64Array(n);
  for (let j = 0; j < n; j++) x[perm[j]] = z[j];
  // Residual computed from A directly (not from y), so it is honest.
  let ss = 0;
  for (let i = 0; i < m; i++) {
    let r = -b[i];
    for (let j = 0; j < n; j++) r += a.data[i * n + j] * x[j];
    ss += r * r;
  }
  return { x, rank, tolerance, residualNorm: Math.sqrt(ss) };
}
