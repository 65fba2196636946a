import type { Matrix } from './matrix';

/**
 * out = A · B (+ bias broadcast over columns when given).
 *
 * A is `m × k`, B is `k × n`, out is `m × n`, all row-major. The loop order
 * (i, p, j) streams rows of B and out contiguously, which is the cheapest
 * cache-friendly form in plain JS. It is the reference kernel: a faster
 * one (blocked or WebAssembly) must match it, and can replace it behind this
 * signature without touching any caller.
 *
 * @example
 * // W (n1 × n0) times Z (n0 × count) plus b (n1): one pre-activation per column
 * gemm(W, Z, out, b);
 */
export function gemm(a: Matrix, b: Matrix, out: Matrix, bias?: Float64Array): Matrix {
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  if (b.rows !== k) throw new RangeError(`gemm: A is ${m}×${k} but B is ${b.rows}×${n}`);
  if (out.rows !== m || out.cols !== n) {
    throw new RangeError(`gemm: out must be ${m}×${n}, got ${out.rows}×${out.cols}`);
  }
  if (bias !== undefined && bias.length !== m) {
    throw new RangeError(`gemm: bias must have ${m} entries, got ${bias.length}`);
  }
  const A = a.data;
  const B = b.data;
  const C = out.data;
  for (let i = 0; i < m; i++) {
    const rowC = i * n;
    const init = bias === undefined ? 0 : bias[i];
    for (let j = 0; j < n; j++) C[rowC + j] = init;
    const rowA = i * k;
    for (let p = 0; p < k; p++) {
      const aip = A[rowA + p];
      if (aip === 0) continue;
      const rowB = p * n;
      for (let j = 0; j < n; j++) C[rowC + j] += aip * B[rowB + j];
    }
  }
  return out;
}
