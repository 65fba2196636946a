import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/linalg/rng';
import { relativeError, snrDb } from '../../../src/core/metrics';

describe('snrDb', () => {
  it('is +Infinity for an exact estimate', () => {
    expect(snrDb([3, 4], [3, 4])).toBe(Number.POSITIVE_INFINITY);
    expect(snrDb(Float64Array.from([1, -2, 0.5]), Float64Array.from([1, -2, 0.5]))).toBe(Number.POSITIVE_INFINITY);
    expect(snrDb([0, 0], [0, 0])).toBe(Number.POSITIVE_INFINITY);
  });

  it('computes 10·log₁₀(‖x‖² / ‖x̂ − x‖²) on hand-made cases', () => {
    // ‖x‖² = 25, ‖x̂ − x‖² = 1.
    expect(snrDb([3, 5], [3, 4])).toBeCloseTo(13.979400086720377, 12);
    expect(snrDb([3, 5], [3, 4])).toBeCloseTo(10 * Math.log10(25), 14);
    // ‖x‖² = 1 + 4 + 4 = 9, error (0.1, −0.2, 0.2) → 0.09: ratio 100 → 20 dB.
    expect(snrDb([1.1, 1.8, 2.2], [1, 2, 2])).toBeCloseTo(20, 12);
    // The zero estimate: error = signal → 0 dB; twice the truth likewise.
    expect(snrDb([0, 0], [3, 4])).toBe(0);
    expect(snrDb([6, 8], [3, 4])).toBe(0);
    // Worse than zero: negative dB. ‖x‖² = 1, error 100 → −20 dB.
    expect(snrDb([11], [1])).toBeCloseTo(-20, 12);
    // A zero truth with a wrong estimate: −Infinity.
    expect(snrDb([1, 0], [0, 0])).toBe(Number.NEGATIVE_INFINITY);
  });

  it('is not symmetric in its arguments (the truth sets the signal power)', () => {
    expect(snrDb([3, 4], [3, 5])).toBeCloseTo(10 * Math.log10(34), 14);
    expect(snrDb([3, 4], [3, 5])).not.toBeCloseTo(snrDb([3, 5], [3, 4]), 3);
  });

  it('is scale invariant and equals −20·log₁₀(relativeError)', () => {
    const rng = createRng(51);
    const x = rng.fillGaussian(new Float64Array(100));
    const xHat = Float64Array.from(x, (v) => v + 0.05 * rng.gaussian());
    const s = snrDb(xHat, x);
    expect(s).toBeGreaterThan(20);
    expect(s).toBeLessThan(30);
    expect(
      snrDb(
        xHat.map((v) => 7 * v),
        x.map((v) => 7 * v),
      ),
    ).toBeCloseTo(s, 10);
    expect(s).toBeCloseTo(-20 * Math.log10(relativeError(xHat, x)), 10);
  });
});

describe('relativeError', () => {
  it('is ‖x̂ − x‖ / ‖x‖ on hand-made cases', () => {
    expect(relativeError([3, 5], [3, 4])).toBeCloseTo(0.2, 15);
    expect(relativeError([3, 4], [3, 4])).toBe(0);
    expect(relativeError([0, 0], [3, 4])).toBe(1);
    expect(relativeError([-3, -4], [3, 4])).toBe(2);
    expect(relativeError(Float64Array.from([1, 2, 2]), Float64Array.from([1, 2, 4]))).toBeCloseTo(
      2 / Math.sqrt(21),
      15,
    );
  });

  it('falls back to the absolute error ‖x̂‖ when the truth is zero', () => {
    expect(relativeError([3, 4], [0, 0])).toBe(5);
    expect(relativeError([0, 0, 0], [0, 0, 0])).toBe(0);
    expect(relativeError([1e-3], [0])).toBeCloseTo(1e-3, 18);
  });

  it('propagates NaN from the estimate', () => {
    expect(relativeError([Number.NaN, 0], [3, 4])).toBeNaN();
    expect(relativeError([Number.NaN, 0], [0, 0])).toBeNaN();
    expect(snrDb([Number.NaN, 4], [3, 4])).toBeNaN();
  });
});
