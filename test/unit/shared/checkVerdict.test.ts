import { describe, expect, it } from 'vitest';
import { createCheck, type CheckReport } from '../../../src/core/experiments/check';
import type { Generator } from '../../../src/core/model/generator';
import { randomGaussianGenerator } from '../../../src/core/model/random';
import { checkVerdict, checkVerdictText } from '../../../src/shared/checkVerdict';

function run(gen: Generator, samples: number): CheckReport {
  const stepper = createCheck(gen, { samples, seed: 0 });
  while (stepper.done < stepper.total) stepper.step();
  return stepper.result('completed');
}

const NO_UNDERSCORE_MATH = /\b[snWSx]_\d|n_0/;

describe('checkVerdict', () => {
  it('n₀ < s₁ < n (random:100,300,625): proven unique for every sample; Theorem 3 named as worst case; next: step 3', () => {
    const r = run(randomGaussianGenerator([100, 300, 625], { kind: 'tanh' }, 0), 12);
    const v = checkVerdict(r);
    expect(r.theorems.theorem1.passFraction).toBe(1);
    expect(v.tone).toBe('pass');
    expect(v.headline).toBe('Invertible: z is provably the unique preimage of G(z) for every sample (Theorem 1).');
    expect(v.certifies[0]).toBe(
      'Theorem 1 (any weights) proves that z is the unique latent vector behind G(z) for every sample.',
    );
    expect(v.certifies[1]).toContain('if the weights were i.i.d. Gaussian');
    expect(v.certifies[1]).toContain('gives uniqueness for every sample.');
    // Theorem 3: μ of 300 Gaussian columns in ~300 rows is far above 1/(3·150).
    const l = r.layers[0];
    expect(v.certifies[2]).toContain('guarantees that Layered Basis-Pursuit finds z for no sample');
    expect(v.failures).toEqual([
      `Theorem 3 at layer 1 needs s₁ < 1/(3μ) = ${Number(l.theorem3.threshold.toPrecision(3))} (μ = ${Number(l.coherence.toPrecision(3))}), but s₁ = ${l.sparsity.median} (median; fails for every sample).`,
    ]);
    expect(v.next[0]).toMatch(
      /^Theorem 3 is a worst-case guarantee.*The Oracle’s error bound \(Theorem 4\) holds only if the supports/,
    );
    expect(checkVerdictText(v)).not.toMatch(NO_UNDERSCORE_MATH);
  });

  it('s₁ < n₀ (random:100,120,625): the first layer is too sparse, with its numbers; next: a wider first layer', () => {
    const r = run(randomGaussianGenerator([100, 120, 625], { kind: 'tanh' }, 0), 12);
    const v = checkVerdict(r);
    const s1 = r.layers[0].sparsity.median;
    expect(s1).toBeLessThan(100);
    expect(r.layers[0].conditions.lower).toBe(0);
    expect(v.tone).toBe('fail');
    expect(v.headline).toBe(
      'Not invertible: the first layer has fewer active units than z has entries (n₀ = 100), for every sample.',
    );
    expect(v.failures[0]).toBe(
      `The first layer is too sparse: s₁ = ${s1} < n₀ = 100 (median; s₁ ≥ n₀ fails for every sample) — no method can recover z there: fewer active units than unknowns leave z undetermined.`,
    );
    expect(v.next[0]).toBe(
      'A wider first layer: about half of its units are active, so n₁ ≥ 2n₀ = 200 keeps s₁ above n₀ (or a smaller latent space n₀).',
    );
    expect(v.certifies[0]).toContain('for no sample');
    // Nothing suggests step 3 when uniqueness fails everywhere.
    expect(v.next.join(' ')).not.toContain('step 3');
    expect(checkVerdictText(v)).not.toMatch(NO_UNDERSCORE_MATH);
  });

  it('a saturated tanh output: the last layer lacks equations; next: an output that does not saturate', () => {
    const gen = randomGaussianGenerator([10, 60, 100], { kind: 'tanh' }, 1);
    // Scale W_L so that |W_L x + b| ≫ 1: tanh sits at ±1 for most pixels, which then carry no equation.
    gen.layers[1].W.data.forEach((x, k, a) => (a[k] = 200 * x));
    const r = run(gen, 8);
    const v = checkVerdict(r);
    const last = r.layers[r.layers.length - 1];
    expect(r.saturation.fraction).toBeGreaterThan(0.5);
    expect(last.rows).toBeLessThan(last.sparsity.median);
    expect(last.conditions.upper).toBeLessThan(1);
    expect(v.failures).toContain(
      `The last hidden layer has more active units than equations: s₁ = ${last.sparsity.median} ≥ the ${last.rows} pixels that carry an equation (of n = 100; the others are saturated at the edge of φ’s range) (median; fails ${last.conditions.upper === 1 ? '' : last.conditions.upper === 0 ? 'for every sample' : `for ${(100 * (1 - last.conditions.upper)).toFixed(1)}% of samples`}).`,
    );
    expect(v.next).toContain(
      'Fewer saturated pixels: an output φ that does not saturate (PLU or identity), or a smaller saturation tolerance τ.',
    );
    expect(v.tone).not.toBe('pass');
  });
});
