import { describe, expect, it } from 'vitest';
import { column } from '../../../../src/core/linalg/dense';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { relativeError } from '../../../../src/core/metrics';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { GD_CLIP_RANGE, invert } from '../../../../src/core/pursuit/methods';

describe('gd-clip (Lipton & Tripathi 2017: gradient descent with stochastic clipping)', () => {
  const gen = randomGaussianGenerator([10, 60, 120], { kind: 'tanh' }, 7);
  const count = 6;
  const z = matrix(10, count, createRng(3).fillGaussian(new Float64Array(10 * count)));
  const obs = observe(forward(gen, z).output, { kind: 'none' }, { kind: 'none' }, 4);

  it('recovers z on an easy (expansive, unmasked) net', () => {
    const res = invert(gen, obs, 'gd-clip', { gdClip: { seed: 1 } });
    expect(res.method).toBe('gd-clip');
    for (let j = 0; j < count; j++) {
      expect(res.signals[j].stopReason).toBe('gradient');
      expect(relativeError(column(res.z, j), column(z, j))).toBeLessThan(1e-6);
      expect(res.signals[j].phases[0].phase).toBe('gradient descent (momentum) + stochastic clipping');
      expect(res.signals[j].phases[0].note).toMatch(
        new RegExp(`^stochastic clipping to \\[−${GD_CLIP_RANGE}, ${GD_CLIP_RANGE}\\] \\(seed 1\\)`),
      );
    }
  });

  it('is seeded: the same seed gives the same bits, another seed another path', () => {
    const gd = { seed: 5, step: 0.5, maxIterations: 300, clipRange: 0.8 };
    const a = invert(gen, obs, 'gd-clip', { gdClip: gd });
    const b = invert(gen, obs, 'gd-clip', { gdClip: gd });
    const c = invert(gen, obs, 'gd-clip', { gdClip: { ...gd, seed: 6 } });
    expect(Array.from(b.z.data)).toEqual(Array.from(a.z.data));
    expect(b.signals.map((s) => s.phases[0].note)).toEqual(a.signals.map((s) => s.phases[0].note));
    expect(Array.from(c.z.data)).not.toEqual(Array.from(a.z.data));
  });

  it('keeps every component inside [−r, r], redrawing (not pinning) the ones a step throws out', () => {
    // A large step and a narrow range: many updates leave the box.
    const r = 0.8;
    const res = invert(gen, obs, 'gd-clip', { gdClip: { seed: 2, step: 0.5, maxIterations: 300, clipRange: r } });
    expect(Math.max(...Array.from(res.z.data, Math.abs))).toBeLessThanOrEqual(r);
    const redrawn = res.signals.map((s) => Number(/(\d+) components redrawn/.exec(s.phases[0].note ?? '')?.[1]));
    expect(Math.min(...redrawn)).toBeGreaterThan(0);
    // Clipping to the edge would leave components at exactly ±r; a uniform redraw essentially never does.
    expect(Array.from(res.z.data).filter((v) => Math.abs(v) === r)).toHaveLength(0);
  });

  it('is plain gradient descent, bit for bit, when the range is never reached', () => {
    const o = { seed: 9, maxIterations: 400 };
    const plain = invert(gen, obs, 'gd', { gd: o });
    const wide = invert(gen, obs, 'gd-clip', { gdClip: { ...o, clipRange: 1e6 } });
    expect(Array.from(wide.z.data)).toEqual(Array.from(plain.z.data));
    expect(wide.signals.every((s) => /: 0 components redrawn/.test(s.phases[0].note ?? ''))).toBe(true);
  });

  it('refuses a range that is not a positive finite number', () => {
    expect(() => invert(gen, obs, 'gd-clip', { gdClip: { clipRange: 0 } })).toThrow(/clipRange/);
    expect(() => invert(gen, obs, 'gd-clip', { gdClip: { clipRange: Infinity } })).toThrow(/clipRange/);
  });
});
