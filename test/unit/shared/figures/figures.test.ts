import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../../../src/core/experiments/check';
import type { InvertReport, SignalOutcome } from '../../../../src/core/experiments/invert';
import { METHOD_IDS } from '../../../../src/core/pursuit/types';
import {
  checkSparsityOption,
  fig2Option,
  invertSnrOption,
  invertSuccessOption,
  methodColor,
} from '../../../../src/shared/figures';
import { syntheticSweep } from '../../../helpers/sweepFixture';

interface Series {
  name: string;
  type: string;
  data: unknown[];
  color?: string;
  markLine?: { data: { xAxis: number }[]; lineStyle: { type: string } };
  itemStyle?: { borderColor?: string };
}
interface Opt {
  animation: boolean;
  series: Series[];
  xAxis: { name?: string; data?: string[] };
  yAxis: { name: string };
  legend?: { data: string[] };
}

const signal = (snr: number): SignalOutcome => ({
  relErrZ: 10 ** (-snr / 20),
  snrZ: snr,
  snrLayers: [snr + 1, snr + 2],
  snrImage: snr + 3,
  iterations: 3,
  stopReason: 'converged' as SignalOutcome['stopReason'],
  saturated: 0,
});

const invertReport = {
  settings: {
    count: 5,
    seed: 0,
    mask: { kind: 'none' },
    noise: { kind: 'none' },
    successThreshold: 1e-3,
    kernel: 'js',
  },
  methods: {
    lp: {
      seconds: 1,
      summary: { successRate: 0.8, medianSnrZ: 30, p10SnrZ: 10, p90SnrZ: 50, medianSnrImage: 33, stopReasons: {} },
      signals: [10, 20, 30, 40, 50].map(signal),
    },
    oracle: {
      seconds: 1,
      summary: { successRate: 1, medianSnrZ: 300, p10SnrZ: 300, p90SnrZ: 300, medianSnrImage: 303, stopReasons: {} },
      signals: [300, 300, 300, 300, 300].map(signal),
    },
  },
} as unknown as InvertReport;

describe('method colours', () => {
  it('are stable by name, distinct for the known methods, and defined for unknown names', () => {
    const known = METHOD_IDS.map(methodColor);
    expect(new Set(known).size).toBe(known.length);
    expect(methodColor('lp')).toBe(methodColor('lp'));
    expect(methodColor('new-method')).toMatch(/^#[0-9A-F]{6}$/i);
    expect(methodColor('new-method')).toBe(methodColor('new-method'));
  });
});

describe('invert figures', () => {
  it('Fig. 3: one box series per method over z, x₁, x₂, image, SNR in dB, quantiles 10/25/50/75/90', () => {
    const o = invertSnrOption(invertReport) as unknown as Opt;
    expect(o.animation).toBe(false);
    expect(o.xAxis.data).toEqual(['z', 'x₁', 'x₂', 'image G(z)']);
    expect(o.yAxis.name).toBe('SNR (dB)');
    expect(o.series.map((s) => [s.name, s.type])).toEqual([
      ['lp', 'boxplot'],
      ['oracle', 'boxplot'],
    ]);
    expect(o.series[0].data[0]).toEqual([14, 20, 30, 40, 46]);
    expect(o.series[0].data[3]).toEqual([17, 23, 33, 43, 49]);
    expect(o.series[1].itemStyle?.borderColor).toBe(methodColor('oracle'));
    // Each method's success rate rides on its legend entry.
    const legend = (o as unknown as { legend: { formatter: (name: string) => string } }).legend;
    expect(['lp', 'oracle'].map(legend.formatter)).toEqual(['lp: 80.0%', 'oracle: 100%']);
    // No signal at the 400 dB cap: no cap line.
    expect(o.series.some((s) => 'markLine' in s)).toBe(false);
  });

  it('success rate per method in %', () => {
    const o = invertSuccessOption(invertReport) as unknown as Opt;
    expect(o.yAxis.name).toBe('success rate (%)');
    expect((o.series[0].data as { value: number }[]).map((d) => d.value)).toEqual([80, 100]);
  });
});

describe('check sparsity figure', () => {
  const layer = (index: number, n: number, median: number, pass: number) => ({
    index,
    n,
    sparsity: { median, p10: median - 2, p90: median + 2 },
    coherence: 0.3,
    coherenceFull: 0.4,
    sparkLowerBound: null,
    theorem1: { passFraction: 1 },
    theorem2: { passFraction: pass },
    theorem3: { passFraction: 0, threshold: 1 },
  });
  const report = {
    samples: 10,
    seed: 0,
    stopReason: 'done',
    layers: [layer(1, 40, 20, 1), layer(2, 80, 41, 0.5)],
    theorems: { theorem1: { passFraction: 1 }, theorem2: { passFraction: 0.5 }, theorem3: { passFraction: 0 } },
    saturation: { tolerance: 0, pixels: { median: 0, p10: 0, p90: 0 }, fraction: 0 },
    verdict: '',
  } as unknown as CheckReport;

  it('places s₁ ≥ n₀, s₁ < s₂ and s₂ < n, coloured by whether Theorem 2 held on the layer', () => {
    const o = checkSparsityOption(report, [10, 40, 80, 200]) as unknown as Opt;
    const byName = Object.fromEntries(o.series.map((s) => [s.name, s.data]));
    expect(byName['width nᵢ']).toEqual([40, 80]);
    expect(byName['median sᵢ']).toEqual([20, 41]);
    expect(byName['10–90% of sᵢ']).toEqual([
      [0, 18, 22],
      [1, 39, 43],
    ]);
    const marks = byName['Theorem 2 bound'] as { value: number[]; label: { formatter: string; color: string } }[];
    expect(marks.map((m) => [m.value, m.label.formatter])).toEqual([
      [[0, 10], 's₁ ≥ n₀ = 10'],
      [[0, 41], 's₁ < s₂ ≈ 41'],
      [[1, 200], 's₂ < n = 200'],
    ]);
    expect(marks[2].label.color).not.toBe(marks[0].label.color);
    expect(o.yAxis.name).toMatch(/sᵢ/);
  });
});

describe('Fig. 2', () => {
  const sweep = syntheticSweep();

  it('one panel per n₀: per method a median line and two ribbons, over n₁, with the dashed n₁ = 2n₀ line', () => {
    const o = fig2Option(sweep, 20) as unknown as Opt;
    expect(o.animation).toBe(false);
    expect(o.xAxis.name).toMatch(/^n₁ /);
    expect(o.yAxis.name).toBe('SNR of ẑ (dB)');
    expect(o.legend?.data).toEqual(['lp', 'lbp']);
    const lines = o.series.filter((s) => s.type === 'line');
    expect(lines.map((s) => s.name)).toEqual(['lp', 'lbp']);
    expect(lines[0].data).toEqual(
      sweep.points.filter((p) => p.n0 === 20).map((p) => [p.n1, p.methods.lp!.layers.z.p50]),
    );
    const ribbons = o.series.filter((s) => s.type === 'custom');
    expect(ribbons).toHaveLength(4);
    // A ribbon segment per pair of consecutive n₁, from the lower to the upper quantile.
    expect(ribbons[0].data).toHaveLength(sweep.settings.n1.length - 1);
    const p = sweep.points.filter((x) => x.n0 === 20);
    expect(ribbons[0].data[0]).toEqual([
      p[0].n1,
      p[0].methods.lp!.layers.z.p10,
      p[0].methods.lp!.layers.z.p90,
      p[1].n1,
      p[1].methods.lp!.layers.z.p10,
      p[1].methods.lp!.layers.z.p90,
    ]);
    expect(lines[0].markLine?.data).toEqual([{ xAxis: 40 }]);
    expect(lines[0].markLine?.lineStyle.type).toBe('dashed');
    expect(lines.every((l) => l.color === methodColor(l.name))).toBe(true);
  });

  it('draws x₁ and the image with their own axis titles', () => {
    expect((fig2Option(sweep, 10, 'x1') as unknown as Opt).yAxis.name).toBe('SNR of x̂₁ (dB)');
    const image = fig2Option(sweep, 10, 'image') as unknown as Opt;
    expect(image.yAxis.name).toBe('SNR of G(ẑ) (dB)');
    expect(image.series[0].data[0]).toEqual([10, sweep.points[0].methods.lp!.layers.image.p50]);
  });
});
