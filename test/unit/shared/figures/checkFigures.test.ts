import { describe, expect, it } from 'vitest';
import { createCheck, type CheckReport } from '../../../../src/core/experiments/check';
import type { Generator } from '../../../../src/core/model/generator';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import {
  checkCoherenceOption,
  checkHistogramOption,
  checkPassOption,
  histogramBins,
  histogramThresholds,
} from '../../../../src/shared/figures/check';
import { figuresOfRun } from '../../../../src/shared/figures/run';
import { percent } from '../../../../src/shared/figures/text';

function run(gen: Generator, samples: number): CheckReport {
  const stepper = createCheck(gen, { samples, seed: 3 });
  while (stepper.done < stepper.total) stepper.step();
  return stepper.result('completed');
}

interface Series {
  name: string;
  type: string;
  data: unknown[];
  markLine?: { data: [{ coord: number[] }, { coord: number[] }][] | { yAxis: number }[]; label: { formatter: string } };
}
type Opt = { series: Series[]; legend: { data?: string[] }; xAxis: { name: string; max: number } };

describe('check figures', () => {
  // Two hidden layers: n₀ = 8, n₁ = 40, n₂ = 60, n = 100.
  const report = run(randomGaussianGenerator([8, 40, 60, 100], { kind: 'identity' }, 2), 24);
  const [l1, l2] = report.layers;

  it('histogram of s₁: the bins hold every sample; lines at n₀, s₂, 1/(3μ) (and spark/2 when finite), labelled', () => {
    const o = checkHistogramOption(report, 0) as unknown as Opt;
    const bars = o.series.find((s) => s.name === 'samples')!;
    expect((bars.data as number[][]).reduce((a, b) => a + b[2], 0)).toBe(24);
    const lines = o.series.filter((s) => s.markLine !== undefined);
    const at = Object.fromEntries(
      lines.map((s) => {
        const [from, to] = (s.markLine!.data as [{ coord: number[] }, { coord: number[] }][])[0];
        expect(from.coord[0]).toBe(to.coord[0]);
        return [s.markLine!.label.formatter.split(' = ')[0], from.coord[0]];
      }),
    );
    expect(at['n₀']).toBe(8);
    expect(at['s₂']).toBe(l2.sparsity.median);
    expect(at['1/(3μ)']).toBeCloseTo(l1.theorem3.threshold, 12);
    if (l1.sparkLowerBound !== null) expect(at['spark/2']).toBe(l1.sparkLowerBound / 2);
    else expect(at['spark/2']).toBeUndefined();
    expect(o.legend.data).toContain(`Theorem 2: s₁ ≥ n₀ = 8 — holds for ${percent(l1.conditions.lower!)}`);
    expect(o.xAxis.name).toBe('active units s₁ (count)');
    // Every line lies on the axis.
    for (const v of Object.values(at)) expect(v).toBeLessThanOrEqual(o.xAxis.max);
  });

  it('histogram of the last layer: the line at n (every pixel known, nothing saturated)', () => {
    const t = histogramThresholds(report, 1);
    expect(t.find((x) => x.short === 'n')).toMatchObject({
      value: 100,
      theorem: 'theorem2',
      pass: l2.conditions.upper,
    });
    expect(t.map((x) => x.short)).not.toContain('n₀');
  });

  it('the known pixels replace n when pixels are saturated', () => {
    const saturated = {
      ...report,
      layers: [l1, { ...l2, rows: 70 }],
    } as CheckReport;
    const t = histogramThresholds(saturated, 1);
    expect(t.find((x) => x.short === 'known pixels')).toMatchObject({ value: 70 });
    expect(t.find((x) => x.short === 'known pixels')!.name).toContain('s₂ < 70 pixels with equations (of n = 100)');
  });

  it('bins: one per value for a narrow span, wider on a long axis, counts kept', () => {
    expect(histogramBins({ values: [3, 4, 6], counts: [1, 2, 3] }).bins).toEqual([
      [3, 4, 1],
      [4, 5, 2],
      [6, 7, 3],
    ]);
    const wide = histogramBins({ values: [10, 11, 19, 20], counts: [1, 1, 1, 1] }, 5);
    expect(wide.width).toBe(5);
    expect(wide.bins).toEqual([
      [10, 15, 2],
      [15, 20, 1],
      [20, 25, 1],
    ]);
  });

  it('coherence: μ per layer, the Babel curves (median and whole Wᵢ), the level 1, sᵢ against 1/(3μ)', () => {
    const o = checkCoherenceOption(report) as unknown as Opt;
    const by = (name: string) => o.series.filter((s) => s.name === name);
    expect(by('μ of Wᵢ on the active rows (median)')[0].data).toEqual([l1.coherence, l2.coherence]);
    expect(by('μ of the whole Wᵢ')[0].data).toEqual([l1.coherenceFull, l2.coherenceFull]);
    const curve = by('μ₁(k) of W₁^{S₂}').find((s) => s.type === 'line')!;
    expect((curve.data as number[][])[0]).toEqual([1, l1.babel.median[0]]);
    expect(by('μ₁(k) of the whole W₂')[0].data.length).toBeGreaterThan(0);
    const marker = by('μ₁(k) of W₂').find((s) => s.type === 'scatter');
    if (l2.spark.fromBabel - 1 <= 10)
      expect(marker?.data).toEqual([[l2.spark.fromBabel - 1, l2.babel.median[l2.spark.fromBabel - 2]]]);
    expect((by('μ₁ = 1')[0].markLine!.data as { yAxis: number }[])[0].yAxis).toBe(1);
    expect(by('median sᵢ')[0].data).toEqual([
      [0, l1.sparsity.median],
      [1, l2.sparsity.median],
    ]);
    expect(by('Theorem 3 needs sᵢ < 1/(3μ)')[0].data).toEqual([
      [0, l1.theorem3.threshold],
      [1, l2.theorem3.threshold],
    ]);
  });

  it('pass fractions: per layer and over all layers, per theorem', () => {
    const o = checkPassOption(report) as unknown as Opt;
    expect(o.series.map((s) => s.name)).toEqual([
      'Theorem 1 (any weights)',
      'Theorem 2 (Gaussian weights)',
      'Theorem 3 (pursuit recovers)',
    ]);
    expect(o.series[1].data).toEqual([
      l1.theorem2.passFraction,
      l2.theorem2.passFraction,
      report.theorems.theorem2.passFraction,
    ]);
  });

  it('figuresOfRun lists them (an old report without histograms: the sparsity figure only)', () => {
    expect(figuresOfRun('check', report, { dims: [8, 40, 60, 100] }).map((f) => f.name)).toEqual([
      'check-histogram-1',
      'check-histogram-2',
      'check-coherence',
      'check-theorems',
      'check-sparsity',
    ]);
    const old = { ...report, layers: report.layers.map(({ histogram: _h, babel: _b, ...l }) => l) };
    expect(figuresOfRun('check', old, { dims: [8, 40, 60, 100] }).map((f) => f.name)).toEqual(['check-sparsity']);
  });
});
