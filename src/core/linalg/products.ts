import type { Matrix } from './matrix';

/**
 * Index restrictions of a product, so that sub-matrices of the weights
 * (a support's rows, the known pixels, a layer's active units) are used in
 * place, never copied out.
 */
export interface ProductOptions {
  /** Rows of A to use; out has one row per entry. @default all rows */
  readonly rows?: Int32Array;
  /** Shared inner indices: columns of A and rows of B. @default all */
  readonly inner?: Int32Array;
  /** Columns of B to use; out has one column per entry. @default all columns */
  readonly cols?: Int32Array;
  /** Added to output row r: `bias[rows[r]]` (indexed like A's rows). @default none */
  readonly bias?: Float64Array;
}

/**
 * The dense product kernel every solver calls. One small interface so that a
 * faster implementation (WebAssembly SIMD) can replace the TypeScript one
 * without touching any solver; the reference kernel stays the oracle in tests.
 */
export interface ProductKernel {
  readonly name: string;
  /**
   * out = A[rows, inner] · B[inner, cols] (+ bias[rows] on every column).
   * Shapes: out is |rows| × |cols|. Returns out.
   */
  gemm(a: Matrix, b: Matrix, out: Matrix, options?: ProductOptions): Matrix;
  /**
   * Cholesky factorisation in place with the same bits as choleskyInPlace's TypeScript loop
   * (see there), where the kernel has a faster one; undefined where it declines (the loop runs).
   */
  cholesky?(g: Float64Array, n: number): boolean | undefined;
}

/** Resolved sizes and index accessors of a product; shared by kernels. */
export interface ProductShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/**
 * Checks shapes and indices of a product before any kernel touches memory.
 * @throws RangeError naming the mismatch.
 */
export function checkProduct(a: Matrix, b: Matrix, out: Matrix, options: ProductOptions = {}): ProductShape {
  const { rows, inner, cols, bias } = options;
  if (inner === undefined && a.cols !== b.rows) {
    throw new RangeError(`gemm: A is ${a.rows}×${a.cols} but B is ${b.rows}×${b.cols}`);
  }
  const m = rows?.length ?? a.rows;
  const k = inner?.length ?? a.cols;
  const n = cols?.length ?? b.cols;
  if (out.rows !== m || out.cols !== n)
    throw new RangeError(`gemm: out must be ${m}×${n}, got ${out.rows}×${out.cols}`);
  if (bias !== undefined && bias.length !== a.rows) {
    throw new RangeError(`gemm: bias must have ${a.rows} entries (one per row of A), got ${bias.length}`);
  }
  checkIndex(rows, a.rows, 'rows');
  checkIndex(inner, Math.min(a.cols, b.rows), 'inner');
  checkIndex(cols, b.cols, 'cols');
  return { m, k, n };
}

function checkIndex(index: Int32Array | undefined, limit: number, name: string): void {
  if (index === undefined) return;
  for (let i = 0; i < index.length; i++) {
    if (!(index[i] >= 0 && index[i] < limit))
      throw new RangeError(`gemm: ${name}[${i}] = ${index[i]} is outside 0…${limit - 1}`);
  }
}

/**
 * Reference kernel: the plain triple loop (i, p, j), the same arithmetic a
 * reader checks by hand. Slow (≈1 GFLOP/s); tests compare others to it.
 */
export const referenceKernel: ProductKernel = {
  name: 'reference',
  gemm(a, b, out, options = {}) {
    const { m, k, n } = checkProduct(a, b, out, options);
    const { rows, inner, cols, bias } = options;
    const A = a.data;
    const B = b.data;
    const C = out.data;
    const lda = a.cols;
    const ldb = b.cols;
    for (let i = 0; i < m; i++) {
      const ai = rows === undefined ? i : rows[i];
      const init = bias === undefined ? 0 : bias[ai];
      for (let j = 0; j < n; j++) C[i * n + j] = init;
      for (let p = 0; p < k; p++) {
        const pp = inner === undefined ? p : inner[p];
        const aip = A[ai * lda + pp];
        const rowB = pp * ldb;
        if (cols === undefined) for (let j = 0; j < n; j++) C[i * n + j] += aip * B[rowB + j];
        else for (let j = 0; j < n; j++) C[i * n + j] += aip * B[rowB + cols[j]];
      }
    }
    return out;
  },
};
