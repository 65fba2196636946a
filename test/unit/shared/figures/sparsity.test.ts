import { describe, expect, it } from 'vitest';
import { createSparsitySampler } from '../../../../src/core/experiments/sparsity';
import { runToEnd } from '../../../../src/core/experiments/stepper';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { sparsityChartOption, thresholdMarks } from '../../../../src/shared/figures/sparsity';

describe('sparsity chart option', () => {
  it('places each Theorem 2 bound on its layer and colours it by whether it held', () => {
    // n0 = 40 with n1 = 60: s1 ≈ 30 < n0, so clause (iii) fails; s2 < n holds.
    const gen = randomGaussianGenerator([40, 60, 100, 500], { kind: 'tanh' }, 1);
    const result = runToEnd(createSparsitySampler(gen, { count: 50, seed: 0 }));
    const marks = thresholdMarks(result);
    expect(marks.map((m) => [m.category, m.condition.clause])).toEqual([
      [0, 'iii'],
      [0, 'ii'],
      [1, 'i'],
    ]);
    expect(marks[0].value).toBe(40);
    expect(marks[0].holds).toBe(false);
    expect(marks[1].value).toBe(result.layers[1].median);
    expect(marks[2]).toMatchObject({ value: 500, holds: true });

    const option = sparsityChartOption(result, false) as {
      animation: boolean;
      series: { name: string; data: unknown[] }[];
    };
    expect(option.animation).toBe(false);
    const byName = Object.fromEntries(option.series.map((s) => [s.name, s.data]));
    expect(byName['layer width n']).toEqual([60, 100]);
    expect(byName['median s']).toEqual(result.layers.map((l) => l.median));
    expect(byName['10–90% of s']).toEqual(result.layers.map((l, i) => [i, l.p10, l.p90]));
    expect(byName['Theorem 2 bound']).toHaveLength(3);
  });

  it('sets the math as the paper does: s₁, n₀, x₂ — never s_1, n_0 or n1', () => {
    const gen = randomGaussianGenerator([40, 60, 100, 500], { kind: 'tanh' }, 1);
    const result = runToEnd(createSparsitySampler(gen, { count: 20, seed: 0 }));
    const option = sparsityChartOption(result, false) as { xAxis: { data: string[] } };
    expect(option.xAxis.data[0]).toMatch(/^x₁: n₁ = 60, median s₁ = \d+$/);
    expect(thresholdMarks(result).map((m) => m.label.split(':')[0])).toEqual([
      '≥ n₀ = 40',
      `< s₂ ≈ ${result.layers[1].median}`,
      '< n = 500',
    ]);
    expect(result.theorem2.conditions.map((c) => c.statement)).toEqual(['s₁ ≥ n₀ = 40', 's₁ < s₂', 's₂ < n = 500']);
    const text = JSON.stringify(option);
    expect(text).not.toMatch(/\b[snx]_?\d/);
    expect(text).not.toMatch(/[sn]_[i{]/);
  });
});
