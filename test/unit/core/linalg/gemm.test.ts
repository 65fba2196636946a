import { describe, expect, it } from 'vitest';
import { gemm } from '../../../../src/core/linalg/gemm';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';

const m = (rows: number, cols: number, values: number[]) => matrix(rows, cols, Float64Array.from(values));

describe('gemm', () => {
  it('multiplies a hand-made case and adds the bias to every column', () => {
    const a = m(2, 3, [1, 2, 3, 4, 5, 6]);
    const b = m(3, 2, [7, 8, 9, 10, 11, 12]);
    const out = gemm(a, b, matrix(2, 2), Float64Array.from([1, -1]));
    expect(Array.from(out.data)).toEqual([58 + 1, 64 + 1, 139 - 1, 154 - 1]);
  });

  it('handles empty dimensions', () => {
    expect(gemm(matrix(0, 3), matrix(3, 4), matrix(0, 4)).data.length).toBe(0);
    const out = gemm(matrix(2, 0), matrix(0, 3), matrix(2, 3, new Float64Array(6).fill(9)));
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('matches a dot-product reference on random shapes', () => {
    const rng = createRng(5);
    for (const [r, k, c] of [
      [1, 1, 1],
      [7, 5, 3],
      [17, 13, 9],
    ]) {
      const a = matrix(r, k, rng.fillGaussian(new Float64Array(r * k)));
      const b = matrix(k, c, rng.fillGaussian(new Float64Array(k * c)));
      const out = gemm(a, b, matrix(r, c));
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) {
          let dot = 0;
          for (let p = 0; p < k; p++) dot += a.data[i * k + p] * b.data[p * c + j];
          expect(out.data[i * c + j]).toBeCloseTo(dot, 12);
        }
      }
    }
  });

  it('refuses mismatched shapes with the shapes in the message', () => {
    expect(() => gemm(matrix(2, 3), matrix(4, 2), matrix(2, 2))).toThrow('A is 2×3 but B is 4×2');
    expect(() => gemm(matrix(2, 3), matrix(3, 2), matrix(3, 2))).toThrow('out must be 2×2');
    expect(() => gemm(matrix(2, 3), matrix(3, 2), matrix(2, 2), new Float64Array(3))).toThrow('bias must have 2');
  });
});
