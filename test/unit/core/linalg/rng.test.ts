import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../src/core/linalg/rng';

describe('createRng', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 8 }, () => a.gaussian());
    expect(Array.from({ length: 8 }, () => b.gaussian())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.gaussian())).not.toEqual(xs);
  });

  it('distinguishes seeds that differ only above 32 bits', () => {
    expect(createRng(1).uniform()).not.toBe(createRng(1 + 2 ** 32).uniform());
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(7);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      sum += u;
      sq += u * u;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const mean = sum / n;
    // Standard error of the mean is sqrt(1/12/n) ≈ 6.5e-4: 5 sigma bounds.
    expect(Math.abs(mean - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(2e-3);
  });

  it('draws standard normals: mean 0, variance 1, kurtosis 3', () => {
    const rng = createRng(11);
    const n = 200_000;
    const x = rng.fillGaussian(new Float64Array(n));
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const m2 = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const m4 = x.reduce((s, v) => s + (v - mean) ** 4, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.012); // 5 standard errors
    expect(Math.abs(m2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(0.06);
    // Tail mass: P(|x| > 1.96) = 0.05.
    const tail = x.filter((v) => Math.abs(v) > 1.96).length / n;
    expect(Math.abs(tail - 0.05)).toBeLessThan(0.0025);
  });

  it('scales draws by std in fillGaussian', () => {
    const a = createRng(3).fillGaussian(new Float64Array(5), 2);
    const b = createRng(3).fillGaussian(new Float64Array(5));
    expect(Array.from(a)).toEqual(Array.from(b).map((v) => 2 * v));
  });

  it('refuses a seed that is not a safe integer', () => {
    expect(() => createRng(1.5)).toThrow(/safe integer/);
  });
});
