/**
 * Dense row-major float64 matrix. Batches of signals are matrices whose
 * columns are the signals, so one product serves every signal at once.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major entries: element (i, j) is `data[i * cols + j]`. */
  readonly data: Float64Array;
}

/**
 * Creates a `rows × cols` matrix, zero-filled unless `data` is given.
 *
 * @throws RangeError when `data` does not hold exactly `rows * cols` entries.
 */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`matrix shape must be non-negative integers, got ${rows}×${cols}`);
  }
  const size = rows * cols;
  if (data === undefined) return { rows, cols, data: new Float64Array(size) };
  if (data.length !== size) {
    throw new RangeError(`matrix ${rows}×${cols} needs ${size} entries, got ${data.length}`);
  }
  return { rows, cols, data };
}

/** Copies column `j` of `m` into `out` (length `m.rows`) and returns `out`. */
export function getColumn(m: Matrix, j: number, out: Float64Array = new Float64Array(m.rows)): Float64Array {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) out[i] = data[i * cols + j];
  return out;
}
