import { KC } from './packing';
import type { ProductOptions } from './products';

/**
 * out = A[rows, inner] · B[inner, cols] (+ bias) for a product with one
 * column (a single signal), straight from A's rows without packing them:
 * packing A costs more than the whole product then (measured 1.6× faster on
 * 784×392·392×1 than the WebAssembly kernel, 0.6 against 1.0 ms; with two
 * columns packing wins again). Each entry gets the blocked kernels'
 * operations in their order (the bias, then per KC-block a sum from 0 in
 * index order, added on), so the result is bit for bit theirs.
 */
export function narrowProduct(
  A: Float64Array,
  lda: number,
  B: Float64Array,
  ldb: number,
  C: Float64Array,
  m: number,
  k: number,
  n: number,
  options: ProductOptions,
): void {
  const { rows, inner, cols, bias } = options;
  for (let j = 0; j < n; j++) {
    const col = cols === undefined ? j : cols[j];
    for (let i = 0; i < m; i++) {
      const ai = rows === undefined ? i : rows[i];
      const rowA = ai * lda;
      let acc = bias === undefined ? 0 : bias[ai];
      for (let pc = 0; pc < k; pc += KC) {
        const end = Math.min(k, pc + KC);
        let s = 0;
        if (inner === undefined) for (let p = pc; p < end; p++) s += A[rowA + p] * B[p * ldb + col];
        else
          for (let p = pc; p < end; p++) {
            const q = inner[p];
            s += A[rowA + q] * B[q * ldb + col];
          }
        acc += s;
      }
      C[i * n + j] = acc;
    }
  }
}
