import { describe, expect, it } from 'vitest';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { createContext, dataMisfit } from '../../../../src/core/pursuit/context';
import { trueSupports } from '../../../../src/core/pursuit/oracle';
import { debiasSignal } from '../../../../src/core/pursuit/debias';
import { selectSignals } from '../../../../src/core/pursuit/protocol';
import { refineSupportsBatch } from '../../../../src/core/pursuit/refine';
import type { PhaseReport } from '../../../../src/core/pursuit/types';

const run = (g: Generator<number, void, void>) => {
  while (!g.next().done);
};

describe('refineSupportsBatch', () => {
  const gen = randomGaussianGenerator([20, 80, 160], { kind: 'tanh' }, 2);
  const count = 4;
  const z = matrix(20, count, createRng(5).fillGaussian(new Float64Array(20 * count)));
  const truth = forward(gen, z);

  it('leaves a noiseless, exactly recovered z alone (stop exact, no rounds)', () => {
    const ctx = createContext(gen, observe(truth.output, { kind: 'none' }, { kind: 'none' }, 1));
    const zHat = matrix(20, count, Float64Array.from(z.data));
    const phases: PhaseReport[][] = Array.from({ length: count }, () => []);
    run(refineSupportsBatch(ctx, zHat, phases, (j) => trueSupports(truth.hidden, j)));
    expect(Array.from(zHat.data)).toEqual(Array.from(z.data));
    expect(phases.map((p) => [p[0].stopReason, p[0].iterations])).toEqual(new Array(count).fill(['exact', 0]));
  });

  it('from a perturbed z with wrong supports, lowers the true misfit and never raises it', () => {
    const ctx = createContext(gen, observe(truth.output, { kind: 'gaussian', sigma: 0.02 }, { kind: 'none' }, 1));
    const rng = createRng(9);
    const zHat = matrix(
      20,
      count,
      Float64Array.from(z.data, (v) => v + 0.3 * rng.gaussian()),
    );
    const before = dataMisfit(ctx, zHat);
    const phases: PhaseReport[][] = Array.from({ length: count }, () => []);
    // Claim ẑ was debiased on the true supports: G(ẑ)'s differ, so refinement runs.
    run(refineSupportsBatch(ctx, zHat, phases, (j) => trueSupports(truth.hidden, j)));
    const after = dataMisfit(ctx, zHat);
    for (let j = 0; j < count; j++) {
      expect(after[j]).toBeLessThan(before[j]);
      expect(phases[j][0].iterations).toBeGreaterThan(0);
      expect(phases[j][0].note).toMatch(/re-read the supports/);
    }
    // The refined z is far closer to the truth than the start (E‖0.3·N(0, I)‖² = 0.09 per entry).
    let err = 0;
    for (let i = 0; i < z.data.length; i++) err += (zHat.data[i] - z.data[i]) ** 2;
    expect(err).toBeLessThan((0.09 * z.data.length) / 4);
  });

  it('ends on a finished debiasing of its fixed point, and each signal gets the answer it gets alone', () => {
    const obs = observe(truth.output, { kind: 'gaussian', sigma: 0.02 }, { kind: 'none' }, 1);
    const ctx = createContext(gen, obs);
    const rng = createRng(9);
    const start = Float64Array.from(z.data, (v) => v + 0.3 * rng.gaussian());
    const zHat = matrix(20, count, Float64Array.from(start));
    const phases: PhaseReport[][] = Array.from({ length: count }, () => []);
    run(refineSupportsBatch(ctx, zHat, phases, (j) => trueSupports(truth.hidden, j)));
    const hidden = forward(gen, zHat).hidden;
    let fixedPoints = 0;
    for (let j = 0; j < count; j++) {
      expect(phases[j][0].stopReason).toBe('converged');
      const zj = Float64Array.from({ length: 20 }, (_, i) => zHat.data[i * count + j]);
      if (/ending where G\(ẑ\) keeps its supports/.test(phases[j][0].note ?? '')) {
        fixedPoints++;
        // Debiasing again on G(ẑ)'s own supports, from ẑ, finds nothing to do: ẑ is its stationary point.
        const again = debiasSignal(ctx, j, trueSupports(hidden, j), { start: zj });
        let step = 0;
        for (let i = 0; i < 20; i++) step = Math.max(step, Math.abs(again.z![i] - zj[i]));
        expect(step).toBeLessThan(1e-9);
      }
      // The same answer, bit for bit, when the signal is refined alone.
      const one = createContext(gen, selectSignals(obs, [j]));
      const zOne = matrix(
        20,
        1,
        Float64Array.from({ length: 20 }, (_, i) => start[i * count + j]),
      );
      run(refineSupportsBatch(one, zOne, [[]], () => trueSupports(truth.hidden, j)));
      expect(Array.from(zOne.data)).toEqual(Array.from(zj));
    }
    expect(fixedPoints).toBeGreaterThan(0);
  });

  it('skips a signal whose method failed (no supports to start from)', () => {
    const ctx = createContext(gen, observe(truth.output, { kind: 'none' }, { kind: 'none' }, 1));
    const zHat = matrix(20, count);
    const phases: PhaseReport[][] = Array.from({ length: count }, () => []);
    run(refineSupportsBatch(ctx, zHat, phases, () => undefined));
    expect(phases.every((p) => p.length === 0)).toBe(true);
    expect(Array.from(zHat.data).every((v) => v === 0)).toBe(true);
  });
});
