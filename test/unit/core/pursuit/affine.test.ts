import { describe, expect, it } from 'vitest';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { frozenAffineMap } from '../../../../src/core/pursuit/affine';
import { trueSupports } from '../../../../src/core/pursuit/oracle';
import { prepare } from '../../../../src/core/pursuit/prepared';

describe('frozenAffineMap', () => {
  const gen = randomGaussianGenerator([6, 30, 50, 90], { kind: 'identity' }, 5);
  const layers = prepare(gen);
  const count = 3;
  const z = matrix(6, count, createRng(2).fillGaussian(new Float64Array(6 * count)));
  const truth = forward(gen, z);
  const all = Int32Array.from({ length: 90 }, (_, r) => r);
  const some = all.filter((r) => r % 3 !== 1);

  it('gives the output pre-activation P z + q = W_L x_L + b_L on the true supports, on every row and on a row subset', () => {
    for (let j = 0; j < count; j++) {
      const supports = trueSupports(truth.hidden, j);
      const zj = Array.from({ length: 6 }, (_, k) => z.data[k * count + j]);
      // Every row takes the whole-W_L product (its panels packed once), a subset the supported
      // block: both must be the same map.
      for (const rows of [all, some]) {
        const { P, q } = frozenAffineMap(layers, supports, rows);
        expect([P.rows, P.cols, q.length]).toEqual([rows.length, 6, rows.length]);
        rows.forEach((r, k) => {
          let p = q[k];
          for (let i = 0; i < 6; i++) p += P.data[k * 6 + i] * zj[i];
          // identity φ: the output is the pre-activation.
          const expected = truth.output.data[r * count + j];
          expect(Math.abs(p - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
        });
      }
    }
  });
});
