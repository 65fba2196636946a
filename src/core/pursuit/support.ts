import type { Matrix } from '../linalg/matrix';

/**
 * Support of column j of a batch: indices i with |x_ij| > tol · max_i |x_ij|.
 * Iterative solvers never produce exact zeros, so the tolerance is explicit
 * and relative to the layer's own scale. An all-zero column has empty support.
 */
export function columnSupport(x: Matrix, j: number, tolerance: number): Int32Array {
  const { rows, cols, data } = x;
  let max = 0;
  for (let i = 0; i < rows; i++) max = Math.max(max, Math.abs(data[i * cols + j]));
  if (max === 0) return new Int32Array(0);
  const cut = tolerance * max;
  let count = 0;
  for (let i = 0; i < rows; i++) if (Math.abs(data[i * cols + j]) > cut) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < rows; i++) if (Math.abs(data[i * cols + j]) > cut) out[k++] = i;
  return out;
}

/** Same indices in the same order. */
export function sameSupport(a: Int32Array | undefined, b: Int32Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Per-signal row masks (rows × count, 1 = in the support) from a batch's supports. */
export function supportMask(x: Matrix, tolerance: number): { mask: Uint8Array; supports: Int32Array[] } {
  const mask = new Uint8Array(x.rows * x.cols);
  const supports: Int32Array[] = [];
  for (let j = 0; j < x.cols; j++) {
    const s = columnSupport(x, j, tolerance);
    supports.push(s);
    for (const i of s) mask[i * x.cols + j] = 1;
  }
  return { mask, supports };
}

/** Sets entries of column j outside `support` to exactly zero. */
export function zeroOutside(x: Matrix, j: number, support: Int32Array): void {
  let k = 0;
  for (let i = 0; i < x.rows; i++) {
    if (k < support.length && support[k] === i) k++;
    else x.data[i * x.cols + j] = 0;
  }
}

/** Size of the symmetric difference of two sorted index sets (∞ when `a` is undefined). */
export function supportDistance(a: Int32Array | undefined, b: Int32Array): number {
  if (a === undefined) return Number.POSITIVE_INFINITY;
  let i = 0;
  let k = 0;
  let diff = 0;
  while (i < a.length && k < b.length) {
    if (a[i] === b[k]) {
      i++;
      k++;
    } else if (a[i] < b[k]) {
      i++;
      diff++;
    } else {
      k++;
      diff++;
    }
  }
  return diff + (a.length - i) + (b.length - k);
}

/**
 * Whether support `b` is nearly `a`: at most max(2, 5% of |b|) indices apart.
 * Iterates keep a few entries near the candidate tolerance switching on and
 * off (under noise for many iterations), and the exact step's active-set
 * rounds mend a few wrong indices, so "nearly" is what settled means here.
 */
export function nearlySameSupport(a: Int32Array | undefined, b: Int32Array): boolean {
  return supportDistance(a, b) <= Math.max(2, 0.05 * b.length);
}
