import { gemm, gemmSubset } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import type { PreparedLayer } from './prepared';

/**
 * With every hidden support frozen (S_1 … S_L), the output pre-activation is
 * an affine map of z: W_L x_L + b_L = P z + q. Builds P (restricted to the
 * given output rows) and q by pushing [I | 0] through the supported blocks
 * W_i[S_{i+1}, S_i], never copying a weight matrix.
 *
 * @param supports S_1 … S_L (sorted indices).
 * @param rows output rows to keep (the known pixels).
 * @returns P (|rows| × n₀) and q (|rows|).
 */
export function frozenAffineMap(
  layers: readonly PreparedLayer[],
  supports: readonly Int32Array[],
  rows: Int32Array,
): { P: Matrix; q: Float64Array } {
  const n0 = layers[0].W.cols;
  // T_i (n_i × n₀, zero outside S_i) and t_i: x_i = T_i z + t_i on the frozen supports.
  let T = matrix(layers[0].W.rows, n0);
  let t = new Float64Array(layers[0].W.rows);
  {
    const W0 = layers[0].W;
    for (const r of supports[0]) {
      T.data.set(W0.data.subarray(r * n0, (r + 1) * n0), r * n0);
      t[r] = layers[0].b[r];
    }
  }
  for (let i = 1; i < layers.length; i++) {
    const { W, b } = layers[i];
    const prev = supports[i - 1];
    const isOutput = i === layers.length - 1;
    const outRows = isOutput ? rows : supports[i];
    // Every output row: the whole W_L times T (zero outside S_{L−1}), more multiplications than
    // the supported block but W_L's panels are packed once per generator (linalg/constant.ts),
    // where gathering W_L[:, S_{L−1}] into panels on every call was most of the debiasing's time.
    const block =
      isOutput && outRows.length === W.rows
        ? gemm(W, T, matrix(outRows.length, n0))
        : gemmSubset(W, T, matrix(outRows.length, n0), { rows: outRows, inner: prev });
    const tNext = new Float64Array(isOutput ? outRows.length : W.rows);
    for (let k = 0; k < outRows.length; k++) {
      const r = outRows[k];
      let s = b[r];
      for (const c of prev) s += W.data[r * W.cols + c] * t[c];
      tNext[isOutput ? k : r] = s;
    }
    if (isOutput) return { P: block, q: tNext };
    const full = matrix(W.rows, n0);
    scatterRows(block, outRows, full);
    T = full;
    t = tNext;
  }
  throw new RangeError('a generator needs at least one hidden layer');
}

function scatterRows(block: Matrix, rows: Int32Array, into: Matrix): void {
  const c = block.cols;
  for (let k = 0; k < rows.length; k++) into.data.set(block.data.subarray(k * c, (k + 1) * c), rows[k] * c);
}
