/**
 * Cholesky factorisation G = L Lᵀ of a symmetric positive definite n × n
 * matrix, in place: the lower triangle of `g` becomes L (the strict upper
 * triangle is left as it was).
 *
 * @returns true on success; false when a pivot d_j is not above
 *   1e-12 · G_jj — column j lies within about 1e-6 radians of the span of the
 *   columns before it, so G is not numerically positive definite. A singular
 *   Gram matrix leaves pivots of rounding size rather than exact zeros, so a
 *   plain `> 0` test would "solve" rank-deficient systems with arbitrary answers.
 */
export function choleskyInPlace(g: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = g[rowJ + j];
    for (let p = 0; p < j; p++) d -= g[rowJ + p] * g[rowJ + p];
    if (!(d > 1e-12 * g[rowJ + j]) || !(d > 0)) return false;
    const ljj = Math.sqrt(d);
    g[rowJ + j] = ljj;
    // Four rows at a time share each load of row j (the loop is load-bound); every entry is
    // still its own sum in the same order, so the factor is the same bits as one row at a time.
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = g[r0 + j];
      let s1 = g[r1 + j];
      let s2 = g[r2 + j];
      let s3 = g[r3 + j];
      for (let p = 0; p < j; p++) {
        const ljp = g[rowJ + p];
        s0 -= g[r0 + p] * ljp;
        s1 -= g[r1 + p] * ljp;
        s2 -= g[r2 + p] * ljp;
        s3 -= g[r3 + p] * ljp;
      }
      g[r0 + j] = s0 / ljj;
      g[r1 + j] = s1 / ljj;
      g[r2 + j] = s2 / ljj;
      g[r3 + j] = s3 / ljj;
    }
    for (; i < n; i++) {
      const rowI = i * n;
      let s = g[rowI + j];
      for (let p = 0; p < j; p++) s -= g[rowI + p] * g[rowJ + p];
      g[rowI + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Solves L Lᵀ x = b given the factor from {@link choleskyInPlace};
 * overwrites and returns `b`. `stride` is the row length of `l`'s storage
 * when L is the leading n × n block of a larger array (UpdatableCholesky).
 */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array, stride = n): Float64Array {
  // Forward: L y = b.
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const row = i * stride;
    for (let p = 0; p < i; p++) s -= l[row + p] * b[p];
    b[i] = s / l[row + i];
  }
  // Backward: Lᵀ x = y.
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let p = i + 1; p < n; p++) s -= l[p * stride + i] * b[p];
    b[i] = s / l[i * stride + i];
  }
  return b;
}

/**
 * Smallest and largest diagonal entry of L: their squared ratio bounds the
 * condition number of G from below, a cheap warning sign of ill-conditioning.
 */
export function choleskyDiagonalRatio(l: Float64Array, n: number): number {
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const d = l[i * n + i];
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  return n === 0 ? 1 : (hi / lo) ** 2;
}
