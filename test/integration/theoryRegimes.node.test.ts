import { describe, expect, it } from 'vitest';
import { createCheck, type CheckReport } from '../../src/core/experiments/check';
import { invertExperiment, type InvertReport } from '../../src/core/experiments/invert';
import { runToEnd } from '../../src/core/experiments/stepper';
import type { Generator as Net } from '../../src/core/model/generator';
import { parseRandomSpec, randomGaussianGenerator } from '../../src/core/model/random';

function model(spec: string): Net {
  const { dims, output, seed } = parseRandomSpec(spec);
  return randomGaussianGenerator(dims, output, seed);
}

const check = (gen: Net): CheckReport => runToEnd(createCheck(gen, { samples: 64, seed: 7 }));

function lp(gen: Net, count: number): InvertReport {
  const steps = invertExperiment(
    gen,
    { methods: ['lp'], count, seed: 11, mask: { kind: 'none' }, noise: { kind: 'none' } },
    Date.now,
  );
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Fig. 2 of the paper: G(z) = tanh(W_1 ReLU(W_0 z)), n_0 = 100, n = 625. About half of the n_1 hidden units are
 * active, so s_1 ≈ n_1/2: below n_0 when n_1 = 120 (no uniqueness, every method fails), between n_0 and n when
 * n_1 = 300 (unique, the layered methods recover). The check predicts this from the weights alone; LP confirms it.
 */
describe('the check predicts the regimes of Fig. 2, and Latent-Pursuit agrees', () => {
  it('random:100,120,625:tanh (n_1/2 < n_0): Theorems 1 and 2 fail at layer 1 and LP fails', () => {
    const gen = model('random:100,120,625:tanh');
    const report = check(gen);
    expect(report.samples).toBe(64);
    expect(report.stopReason).toBe('completed');
    expect(report.layers).toHaveLength(1);
    const layer = report.layers[0];
    expect(layer.index).toBe(1);
    expect(layer.n).toBe(120);
    // s_1 ≈ n_1/2 = 60 < n_0 = 100 for essentially every sample.
    expect(layer.sparsity.p90).toBeLessThan(100);
    expect(layer.sparsity.median).toBeGreaterThan(45);
    expect(layer.sparsity.median).toBeLessThan(75);
    expect(report.theorems.theorem2.passFraction).toBeLessThan(0.1);
    expect(report.theorems.theorem1.passFraction).toBeLessThan(0.1);
    expect(layer.theorem2.passFraction).toBe(report.theorems.theorem2.passFraction);
    // W_1 (625 × 120 Gaussian) has full column rank: the spark part holds, the rank part (n_0 ≤ s_1) is what fails.
    expect(layer.sparkLowerBound).toBeNull();

    const pct = `${(100 * report.theorems.theorem2.passFraction).toFixed(report.theorems.theorem2.passFraction === 0 ? 0 : 1)}%`;
    expect(report.verdict).toContain(`Theorem 2 (i.i.d. Gaussian weights) gives uniqueness for ${pct} of samples`);
    expect(report.verdict).toContain('it fails most at layer 1');
    expect(report.verdict).toMatch(/e\.g\. not s₁ = \d+ ≥ n₀ = 100\)/);
    expect(report.verdict).toMatch(
      /Theorem 1 certifies \d+(\.\d)?%; it fails most at layer 1 \(e\.g\. not rank\(W₀\^\{S₁\}\) = n₀ ≤ s₁ \(rank \d+, n₀ = 100, s₁ = \d+\)\)/,
    );
    expect(report.verdict).not.toContain('unique by Theorem 2 for 100%');
    // The example signal is rank-limited by its own sparsity: rank(W_0^{S_1}) = s_1 < n_0.
    const [, rank, s1] = /\(rank (\d+), n₀ = 100, s₁ = (\d+)\)/.exec(report.verdict)!;
    expect(Number(rank)).toBe(Number(s1));
    expect(Number(s1)).toBeLessThan(100);

    const inv = lp(gen, 32);
    expect(inv.methods.lp!.signals).toHaveLength(32);
    expect(inv.methods.lp!.summary.successRate).toBeLessThan(0.1);
  });

  it('random:100,300,625:tanh (n_0 < s_1 < n): unique by Theorems 1 and 2 for every sample and LP recovers', () => {
    const gen = model('random:100,300,625:tanh');
    const report = check(gen);
    const layer = report.layers[0];
    expect(layer.sparsity.p10).toBeGreaterThan(100);
    expect(layer.sparsity.p90).toBeLessThan(625);
    expect(report.theorems.theorem2.passFraction).toBe(1);
    expect(report.theorems.theorem1.passFraction).toBe(1);
    expect(layer.theorem1.passFraction).toBe(1);
    expect(layer.sparkLowerBound).toBeNull(); // W_1 (625 × 300) has full column rank: spark = ∞.
    expect(report.verdict).toContain('unique by Theorem 2 for 100% of samples (if the weights are i.i.d. Gaussian)');
    expect(report.verdict).toContain('Theorem 1 certifies 100% (for these weights, whatever their distribution)');
    // Theorem 3 (coherence) is a worst-case guarantee far too pessimistic for s_1 ≈ 150: it does not hold.
    expect(report.theorems.theorem3.passFraction).toBe(0);
    expect(report.verdict).toMatch(
      /Theorem 3's worst-case guarantee holds for none \(layer 1: μ = 0\.\d\d needs s₁ < \d+\.\d\d, s₁ = \d+/,
    );

    const inv = lp(gen, 32);
    expect(inv.methods.lp!.summary.successRate).toBeGreaterThanOrEqual(0.95);
  });
});
