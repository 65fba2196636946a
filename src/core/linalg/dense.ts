import { matrix, type Matrix } from './matrix';

/** Aᵀ as a new matrix (solvers keep Wᵀ once per layer so every product is A·B). */
export function transpose(a: Matrix): Matrix {
  const { rows, cols, data } = a;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return matrix(cols, rows, out);
}

/** Euclidean norm of `x[offset … offset + n)` with stride (defaults: the whole array). */
export function norm2(x: ArrayLike<number>, n = x.length, offset = 0, stride = 1): number {
  // Scaled accumulation: no overflow or underflow for extreme magnitudes.
  let scale = 0;
  let ssq = 1;
  for (let i = 0, p = offset; i < n; i++, p += stride) {
    const v = x[p];
    if (v !== 0) {
      const abs = Math.abs(v);
      if (scale < abs) {
        ssq = 1 + ssq * (scale / abs) ** 2;
        scale = abs;
      } else ssq += (abs / scale) ** 2;
    }
  }
  return scale * Math.sqrt(ssq);
}

/** Dot product of the first `n` entries. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

/** The identity matrix of size n. */
export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Column j of a batch as a new vector. */
export function column(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
  return out;
}

/** Writes vector `v` into column j of `m`. */
export function setColumn(m: Matrix, j: number, v: ArrayLike<number>): void {
  for (let i = 0; i < m.rows; i++) m.data[i * m.cols + j] = v[i];
}

/** Indices i where `pred(i)` holds, as an Int32Array. */
export function indicesWhere(n: number, pred: (i: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (pred(i)) out.push(i);
  return Int32Array.from(out);
}
