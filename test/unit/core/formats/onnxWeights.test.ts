import { describe, expect, it } from 'vitest';
import { openModel } from '../../../../src/core/formats/index';
import { onnxChain, onnxGemmLayout } from '../../../helpers/hostileModels';

/** The model's bytes starting `offset` bytes into a larger buffer: raw_data's views move with them. */
function shifted(bytes: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(bytes.length + offset);
  out.set(bytes, offset);
  return out.subarray(offset);
}

const f32 = (v: number) => Math.fround(v);

describe('ONNX weights read from raw_data', () => {
  it('are the float32 values at every alignment of the file in memory', () => {
    // Values that float32 rounds: any misread byte would show.
    const W0 = [1.1, -1.3, 0.55, 2.7, -1.9, 1e-3];
    for (let offset = 0; offset < 8; offset++) {
      const gen = openModel(shifted(onnxChain(0, 'Identity', W0), offset), 'chain.onnx').generator;
      expect(Array.from(gen.layers[0].W.data)).toStrictEqual(W0.map(f32));
      expect(Array.from(gen.layers[0].b)).toStrictEqual([0, -1, 0.25]);
      expect(Array.from(gen.layers[1].W.data)).toStrictEqual([1, 0, 2, 0, -1, 1]);
    }
  });

  it('give W = α·B with transB = 1 and W = α·Bᵀ with transB = 0', () => {
    const W = [1.1, -1.3, 0.55, 2.7, -1.9, 1e-3]; // the layer's 3 × 2 W, row-major
    const Wt = [W[0], W[2], W[4], W[1], W[3], W[5]]; // stored as B = Wᵀ (2 × 3) when transB = 0
    for (const alpha of [1, 0.5, -2]) {
      const expected = W.map((v) => alpha * f32(v));
      const asW = openModel(onnxGemmLayout(true, alpha, W), 'w.onnx').generator.layers[0];
      const asWt = openModel(onnxGemmLayout(false, alpha, Wt), 'wt.onnx').generator.layers[0];
      expect([asW.W.rows, asW.W.cols, asWt.W.rows, asWt.W.cols]).toStrictEqual([3, 2, 3, 2]);
      expect(Array.from(asW.W.data)).toStrictEqual(expected);
      expect(Array.from(asWt.W.data)).toStrictEqual(expected);
    }
  });
});
