import { describe, expect, it } from 'vitest';
import type { SensingResult } from '../../../../src/core/experiments/sensing';
import { figuresOfRun } from '../../../../src/shared/figures/run';
import { sensingOption } from '../../../../src/shared/figures/sensing';

const spread = (p50: number) => ({ p10: p50 - 10, p50, p90: p50 + 10 });
const result: SensingResult = {
  kind: 'sensing',
  settings: {
    m: [10, 160],
    methods: ['lp', 'gd'],
    count: 4,
    seed: 0,
    measureSeed: 7,
    noise: { kind: 'none' },
    successThreshold: 1e-3,
    chunkSize: 2,
    n0: 20,
    n: 625,
    medianSL: 99,
  },
  // Given out of m order: the figure sorts by m.
  points: [
    {
      m: 160,
      methods: {
        lp: { successRate: 1, certifiedRate: 0.5, seconds: 1, snrZ: spread(300), snrImage: spread(290) },
        gd: { successRate: 0.75, certifiedRate: 0, seconds: 1, snrZ: spread(200), snrImage: spread(190) },
      },
    },
    {
      m: 10,
      methods: {
        lp: { successRate: 0, certifiedRate: 0, seconds: 1, snrZ: spread(0), snrImage: spread(5) },
        gd: { successRate: 0, certifiedRate: 0, seconds: 1, snrZ: spread(-20), snrImage: spread(-3) },
      },
    },
  ],
};

type Series = { name: string; type: string; data: number[][]; lineStyle?: { type?: string } };

describe('the sensing figures', () => {
  it('plot success (solid) and certified (dashed) rates in % against m, per method, in m order', () => {
    const series = sensingOption(result, 'success').series as Series[];
    const lp = series.filter((s) => s.name === 'lp');
    expect(lp.map((s) => s.data)).toEqual([
      [
        [10, 0],
        [160, 100],
      ],
      [
        [10, 0],
        [160, 50],
      ],
    ]);
    expect(lp[1].lineStyle?.type).toBe('dashed');
  });

  it('plot the median SNR of ẑ with its 10–90% ribbon, and mark m = n₀ and the median s_L', () => {
    const option = sensingOption(result, 'z');
    const series = option.series as (Series & { markLine?: { data: { xAxis: number }[] } })[];
    const gdLine = series.find((s) => s.name === 'gd' && s.type === 'line')!;
    expect(gdLine.data).toEqual([
      [10, -20],
      [160, 200],
    ]);
    const ribbon = series.find((s) => s.name === 'gd' && s.type === 'custom')!;
    expect(ribbon.data).toEqual([[10, -30, -10, 160, 190, 210]]);
    expect(series[0].markLine!.data.map((d) => d.xAxis)).toEqual([20, 99]);
  });

  it('are the run page’s and the report’s figures of a sensing run', () => {
    expect(figuresOfRun('sensing', result, { dims: [20, 200, 625] }).map((f) => f.name)).toEqual([
      'sensing-success',
      'sensing-snr-z',
      'sensing-snr-image',
    ]);
  });
});
