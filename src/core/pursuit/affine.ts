import { gemm, gemmSubset } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import type { PreparedLayer } from './prepared';

/**
 * With every hidden support frozen (S_1 … S_L), the output pre-activation is
 * an affine map of z: W_L x_L + b_L = P z + q. Builds P (restricted to the
 * given output rows) and q by pushing [I | 0] through the supported blocks
 * W_i[S_{i+1}, S_i], never copying a weight matrix. The offsets ride along
 * as one more column, [T_i | t_i] with x_i = T_i z + t_i, so each layer is a
 * single product (a scalar pass per row for them took a third of the time).
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
  const w = n0 + 1;
  // [T_1 | t_1] (n_1 × (n₀ + 1), zero outside S_1): x_1 = T_1 z + t_1 on the frozen support.
  let Tt = matrix(layers[0].W.rows, w);
  {
    const { W: W0, b: b0 } = layers[0];
    for (const r of supports[0]) {
      Tt.data.set(W0.data.subarray(r * n0, (r + 1) * n0), r * w);
      Tt.data[r * w + n0] = b0[r];
    }
  }
  for (let i = 1; i < layers.length; i++) {
    const { W, b } = layers[i];
    const prev = supports[i - 1];
    const isOutput = i === layers.length - 1;
    const outRows = isOutput ? rows : supports[i];
    // Every output row: the whole W_L times [T | t] (zero outside S_{L−1}), more multiplications
    // than the supported block but W_L's panels are packed once per generator (linalg/constant.ts),
    // where gathering W_L[:, S_{L−1}] into panels on every call was most of the debiasing's time.
    const block =
      isOutput && outRows.length === W.rows
        ? gemm(W, Tt, matrix(outRows.length, w))
        : gemmSubset(W, Tt, matrix(outRows.length, w), { rows: outRows, inner: prev });
    if (isOutput) {
      const P = matrix(outRows.length, n0);
      const q = new Float64Array(outRows.length);
      for (let k = 0; k < outRows.length; k++) {
        P.data.set(block.data.subarray(k * w, k * w + n0), k * n0);
        q[k] = block.data[k * w + n0] + b[outRows[k]];
      }
      return { P, q };
    }
    const next = matrix(W.rows, w);
    for (let k = 0; k < outRows.length; k++) {
      const r = outRows[k];
      next.data.set(block.data.subarray(k * w, k * w + n0), r * w);
      next.data[r * w + n0] = block.data[k * w + n0] + b[r];
    }
    Tt = next;
  }
  throw new RangeError('a generator needs at least one hidden layer');
}
