import { productKernel } from './gemm';

/** Order from which choleskyInPlace hands the factorisation to the product kernel. */
const KERNEL_CHOLESKY_FROM = 16;

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
 *   After a failure `g` holds nothing of use (partly factored, or as it was).
 */
export function choleskyInPlace(g: Float64Array, n: number): boolean {
  // The product kernel's own (WebAssembly SIMD, eight rows at a time: the same bits) from the
  // order where it pays for copying the matrix in and out of the module's memory.
  if (n >= KERNEL_CHOLESKY_FROM) {
    const done = productKernel().cholesky?.(g, n);
    if (done !== undefined) return done;
  }
  return choleskyLoop(g, n);
}

/** choleskyInPlace's TypeScript loop: the reference for the kernel's factorisation. */
export function choleskyLoop(g: Float64Array, n: number): boolean {
  // Columns j and k = j + 1 together, four rows at a time: each load of a row serves two
  // columns and each load of rows j, k four rows (the loops are load-bound). Every entry is
  // still its own sum with its terms in the same order (column k's last term, p = j, is
  // subtracted once column j's entry is final), so the factor is the bits of the plain loop.
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const rJ = j * n;
    const rK = rJ + n;
    const k = j + 1;
    let dj = g[rJ + j];
    let sk = g[rK + j];
    let dk = g[rK + k];
    for (let p = 0; p < j; p++) {
      const a = g[rJ + p];
      const b = g[rK + p];
      dj -= a * a;
      sk -= b * a;
      dk -= b * b;
    }
    if (!pivotOk(dj, g[rJ + j])) return false;
    const ljj = Math.sqrt(dj);
    const lkj = sk / ljj;
    dk -= lkj * lkj;
    if (!pivotOk(dk, g[rK + k])) return false;
    const lkk = Math.sqrt(dk);
    g[rJ + j] = ljj;
    g[rK + j] = lkj;
    g[rK + k] = lkk;
    let i = k + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let a0 = g[r0 + j];
      let a1 = g[r1 + j];
      let a2 = g[r2 + j];
      let a3 = g[r3 + j];
      let b0 = g[r0 + k];
      let b1 = g[r1 + k];
      let b2 = g[r2 + k];
      let b3 = g[r3 + k];
      for (let p = 0; p < j; p++) {
        const lj = g[rJ + p];
        const lk = g[rK + p];
        const x0 = g[r0 + p];
        const x1 = g[r1 + p];
        const x2 = g[r2 + p];
        const x3 = g[r3 + p];
        a0 -= x0 * lj;
        a1 -= x1 * lj;
        a2 -= x2 * lj;
        a3 -= x3 * lj;
        b0 -= x0 * lk;
        b1 -= x1 * lk;
        b2 -= x2 * lk;
        b3 -= x3 * lk;
      }
      a0 /= ljj;
      a1 /= ljj;
      a2 /= ljj;
      a3 /= ljj;
      g[r0 + j] = a0;
      g[r1 + j] = a1;
      g[r2 + j] = a2;
      g[r3 + j] = a3;
      g[r0 + k] = (b0 - a0 * lkj) / lkk;
      g[r1 + k] = (b1 - a1 * lkj) / lkk;
      g[r2 + k] = (b2 - a2 * lkj) / lkk;
      g[r3 + k] = (b3 - a3 * lkj) / lkk;
    }
    for (; i < n; i++) {
      const r0 = i * n;
      let a0 = g[r0 + j];
      let b0 = g[r0 + k];
      for (let p = 0; p < j; p++) {
        const x0 = g[r0 + p];
        a0 -= x0 * g[rJ + p];
        b0 -= x0 * g[rK + p];
      }
      a0 /= ljj;
      g[r0 + j] = a0;
      g[r0 + k] = (b0 - a0 * lkj) / lkk;
    }
  }
  // An odd n leaves the last column: its pivot alone.
  if (j < n) {
    const rJ = j * n;
    let d = g[rJ + j];
    for (let p = 0; p < j; p++) d -= g[rJ + p] * g[rJ + p];
    if (!pivotOk(d, g[rJ + j])) return false;
    g[rJ + j] = Math.sqrt(d);
  }
  return true;
}

/** A pivot d_j above 1e-12 · G_jj (and positive, not NaN): see choleskyInPlace. */
const pivotOk = (d: number, gjj: number) => d > 1e-12 * gjj && d > 0;

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
