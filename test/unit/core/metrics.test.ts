import { describe, expect, it } from 'vitest';
import { median, quantile, quantiles } from '../../../src/core/metrics';

describe('quantiles', () => {
  it('interpolates between order statistics like NumPy (type 7)', () => {
    const x = [10, 1, 4, 7]; // sorted 1 4 7 10
    expect(median(x)).toBe(5.5);
    expect(quantile(x, 0)).toBe(1);
    expect(quantile(x, 1)).toBe(10);
    // numpy.quantile([1,4,7,10], 0.1) = 1.9 ; 0.9 → 9.1
    expect(quantile(x, 0.1)).toBeCloseTo(1.9, 12);
    expect(quantile(x, 0.9)).toBeCloseTo(9.1, 12);
    expect(quantiles([3], [0.1, 0.5, 0.9])).toEqual([3, 3, 3]);
  });

  it('returns NaN for no values and refuses probabilities outside [0, 1]', () => {
    expect(median([])).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/);
  });

  it('does not reorder its input', () => {
    const x = [3, 1, 2];
    median(x);
    expect(x).toEqual([3, 1, 2]);
  });
});
