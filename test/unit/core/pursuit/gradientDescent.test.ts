import { describe, expect, it } from 'vitest';
import { checkGradientDescentOptions, stepAt } from '../../../../src/core/pursuit/gradientDescent';

describe('gradient descent step schedules (stepAt)', () => {
  it('defaults: geometric for momentum, the paper’s step schedule for Adam', () => {
    expect(checkGradientDescentOptions({}).schedule).toBe('geometric');
    expect(checkGradientDescentOptions({ optimizer: 'adam' }).schedule).toBe('step');
  });

  it("'step': the paper's 0.1, halved every 2,500 iterations", () => {
    const o = checkGradientDescentOptions({ schedule: 'step' });
    expect([1, 2500, 2501, 5000, 5001, 7501, 10000].map((it) => stepAt(o, it))).toEqual([
      0.1, 0.1, 0.05, 0.05, 0.025, 0.0125, 0.0125,
    ]);
  });

  it("'geometric': 0.1 → 1e-3 over 10,000 iterations by a constant ratio (ExponentialLR)", () => {
    const o = checkGradientDescentOptions({ schedule: 'geometric' });
    expect(o.finalStep).toBeCloseTo(1e-3, 15);
    expect(stepAt(o, 1)).toBe(0.1);
    expect(stepAt(o, 5001)).toBeCloseTo(1e-2, 14);
    expect(stepAt(o, 10001)).toBeCloseTo(1e-3, 15);
    const gamma = (1e-3 / 0.1) ** (1 / 10000);
    for (const it of [1, 17, 2500, 9999]) expect(stepAt(o, it + 1) / stepAt(o, it)).toBeCloseTo(gamma, 13);
  });

  it('geometric with its own ends and Adam’s default (0.01 → 1e-4)', () => {
    const o = checkGradientDescentOptions({ schedule: 'geometric', step: 1, finalStep: 1e-4, maxIterations: 4 });
    expect([1, 2, 3, 4, 5].map((it) => stepAt(o, it))).toEqual(
      [1, 1e-1, 1e-2, 1e-3, 1e-4].map((v, i) => expect.closeTo(v, 15 - i)),
    );
    const adam = checkGradientDescentOptions({ optimizer: 'adam', schedule: 'geometric' });
    expect(adam.finalStep).toBeCloseTo(1e-4, 16);
  });

  it('refuses a final step above the first or a schedule it does not know', () => {
    expect(() => checkGradientDescentOptions({ schedule: 'geometric', finalStep: 0.2 })).toThrow(/finalStep/);
    expect(() => checkGradientDescentOptions({ schedule: 'cosine' as 'step' })).toThrow(/schedule/);
  });
});
