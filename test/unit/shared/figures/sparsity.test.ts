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
    expect(byName['width n_i']).toEqual([60, 100]);
    expect(byName['median s_i']).toEqual(result.layers.map((l) => l.median));
    expect(byName['10–90% of s_i']).toEqual(result.layers.map((l, i) => [i, l.p10, l.p90]));
    expect(byName['Theorem 2 bound']).toHaveLength(3);
  });
});
