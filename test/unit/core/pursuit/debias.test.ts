import { describe, expect, it } from 'vitest';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { frozenAffineMap } from '../../../../src/core/pursuit/affine';
import { createContext } from '../../../../src/core/pursuit/context';
import { debiasSignal } from '../../../../src/core/pursuit/debias';
import { trueSupports } from '../../../../src/core/pursuit/oracle';

describe('debiasSignal (φ-domain Newton on frozen supports)', () => {
  // tanh output, σ = 0.05: the residual is large, where Gauss–Newton converges only linearly.
  const gen = randomGaussianGenerator([20, 80, 160], { kind: 'tanh' }, 4);
  const count = 6;
  const z = matrix(20, count, createRng(11).fillGaussian(new Float64Array(20 * count)));
  const truth = forward(gen, z);
  const ctx = createContext(gen, observe(truth.output, { kind: 'gaussian', sigma: 0.05 }, { kind: 'none' }, 3));

  it('reaches a stationary point of ½‖y − φ(P z + q)‖² in a few Newton steps', () => {
    for (let j = 0; j < count; j++) {
      const supports = trueSupports(truth.hidden, j);
      const { z: zHat, report } = debiasSignal(ctx, j, supports);
      expect(report.stopReason).toBe('converged');
      // Newton takes 4–7 steps on these six signals; Gauss–Newton (φ′² only) 7–10.
      expect(report.iterations).toBeLessThanOrEqual(7);
      // Stationarity, independently: Pᵀ(φ′(p) ⊙ (φ(p) − y)) at ẑ, against its size at z = 0.
      const rows = ctx.knownRows(j);
      const { P, q } = frozenAffineMap(ctx.layers, supports, rows);
      const y = ctx.signal(j);
      const gradientAt = (v: Float64Array) => {
        const g = new Float64Array(20);
        rows.forEach((r, k) => {
          let p = q[k];
          for (let i = 0; i < 20; i++) p += P.data[k * 20 + i] * v[i];
          const t = Math.tanh(p);
          // A pixel read as saturated is its distance to its interval (saturation.ts): zero inside it.
          const side = ctx.saturation.side[r * count + j];
          const res =
            side > 0
              ? Math.min(t - ctx.saturation.upperFloor, 0)
              : side < 0
                ? Math.max(t - ctx.saturation.lowerCeiling, 0)
                : t - y[r];
          const w = (1 - t * t) * res;
          for (let i = 0; i < 20; i++) g[i] += w * P.data[k * 20 + i];
        });
        return Math.hypot(...g);
      };
      expect(gradientAt(zHat!)).toBeLessThan(1e-9 * gradientAt(new Float64Array(20)));
    }
  });
});
