import { describe, expect, it } from 'vitest';
import { SNR_CAP_DB } from '../../../../src/core/experiments/invert';
import type { NoiseResult } from '../../../../src/core/experiments/noise';
import {
  methodColor,
  noiseSnrOption,
  noiseSuccessOption,
  SNR_CAP,
  THEOREM4_LABEL,
  theorem4Band,
  trainedCaption,
  trainedSnrOption,
  trainedYRange,
} from '../../../../src/shared/figures';
import { noise, trained } from '../../../helpers/trainedNoiseFixture';

interface Series {
  name: string;
  type: string;
  data: unknown[];
  color?: string;
  z?: number;
  lineStyle?: { type?: string };
  itemStyle?: { borderColor?: string };
  markLine?: { data: { yAxis: number }[]; label: { formatter: string } };
}
interface Opt {
  animation: boolean;
  title: { text: string; subtext: string };
  series: Series[];
  xAxis: { type: string; name: string; data?: string[]; min?: number; max?: number };
  yAxis: { name: string; min?: number; max?: number; interval?: number };
  legend: { data: string[]; formatter?: (name: string) => string };
}

describe('Fig. 3 of a trained run', () => {
  it('one option per setting: a box series per method over z, x₁, x₂, image, in the method’s colour', () => {
    const o = trainedSnrOption(trained, 'random') as unknown as Opt;
    expect(o.animation).toBe(false);
    expect(o.title.text).toBe('Fig. 3(b): recovery with 45% of the pixels hidden at random');
    expect(o.xAxis.data).toEqual(['z', 'x₁', 'x₂', 'image G(z)']);
    expect(o.yAxis.name).toBe('SNR (dB)');
    expect(o.series.map((s) => [s.name, s.type])).toEqual([
      ['lp', 'boxplot'],
      ['gd', 'boxplot'],
    ]);
    expect(o.series.map((s) => s.itemStyle?.borderColor)).toEqual([methodColor('lp'), methodColor('gd')]);
    // 10/25/50/75/90% of GD's SNR(z) over 100, 150, 200, 250.
    expect(o.series[1].data[0]).toEqual([115, 137.5, 175, 212.5, 235]);
    expect(o.legend.data).toEqual(['lp', 'gd']);
    expect(o.legend.formatter!('gd')).toBe('gd: 100%');
    expect((trainedSnrOption(trained, 'clean') as unknown as Opt).legend.formatter!('gd')).toBe('gd: 50.0%');
    expect((trainedSnrOption(trained, 'rows') as unknown as Opt).title.text).toBe(
      'Fig. 3(c): recovery with the top 13 rows hidden',
    );
  });

  it('shares one y range over the three settings, clamped at the 400 dB cap', () => {
    expect(SNR_CAP).toBe(SNR_CAP_DB);
    // From GD's 10% at −17 dB (rows) to LP's 400 dB (clean), in ticks of 50 dB.
    expect(trainedYRange(trained)).toEqual({ min: -50, max: 400, interval: 50 });
    for (const name of ['clean', 'random', 'rows'] as const) {
      const o = trainedSnrOption(trained, name) as unknown as Opt;
      expect([o.yAxis.min, o.yAxis.max, o.yAxis.interval]).toEqual([-50, 400, 50]);
    }
    const random = { ...trained, settings: trained.settings.slice(1, 2) };
    // From GD's 10% of SNR(z) at 115 dB to LP's 90% of SNR(image) at 330 dB: 25 dB ticks.
    expect(trainedYRange(random)).toEqual({ min: 100, max: 350, interval: 25 });
  });

  it('marks the 400 dB cap, with a label, only where a signal reached it', () => {
    const clean = trainedSnrOption(trained, 'clean') as unknown as Opt;
    expect(clean.series[0].data[0]).toEqual([400, 400, 400, 400, 400]);
    expect(clean.series[0].markLine?.data).toEqual([{ yAxis: 400 }]);
    expect(clean.series[0].markLine?.label.formatter).toMatch(/400 dB cap/);
    expect(trainedCaption(trained, 'clean')).toMatch(/400 dB cap/);
    const random = trainedSnrOption(trained, 'random') as unknown as Opt;
    expect(random.series.some((s) => s.markLine !== undefined)).toBe(false);
    expect(trainedCaption(trained, 'random')).not.toMatch(/cap/);
  });

  it('captions name the setting, the layers and every method’s success rate', () => {
    expect(trainedCaption(trained, 'rows')).toMatch(/^Fig\. 3\(c\), the top 13 rows hidden: SNR \(dB\) of z, x₁, x₂/);
    expect(trainedCaption(trained, 'rows')).toMatch(/Recovered: lp 100%, gd 0%\./);
    expect(() => trainedSnrOption({ kind: 'trained', settings: [] }, 'clean')).toThrow(/no "clean" setting/);
  });
});

describe('noise figures', () => {
  it('SNR(z) against σ on a log axis: per method a median line and a 10–90% ribbon, sorted by σ', () => {
    const o = noiseSnrOption(noise, 'z') as unknown as Opt;
    expect(o.xAxis.type).toBe('log');
    expect(o.xAxis.name).toMatch(/^noise σ/);
    expect([o.xAxis.min, o.xAxis.max]).toEqual([0.001, 0.1]);
    expect(o.yAxis.name).toBe('SNR of ẑ (dB)');
    expect(o.legend.data).toEqual(['oracle-e2e', 'lp', THEOREM4_LABEL]);
    const lines = o.series.filter((s) => s.type === 'line' && s.name !== THEOREM4_LABEL);
    expect(lines.map((s) => s.name)).toEqual(['oracle-e2e', 'lp']);
    expect(lines.every((s) => s.color === methodColor(s.name))).toBe(true);
    expect(lines[1].data).toEqual([
      [0.001, 59],
      [0.01, 39],
      [0.1, 19],
    ]);
    const ribbons = o.series.filter((s) => s.type === 'custom' && s.name !== THEOREM4_LABEL);
    expect(ribbons.map((s) => s.name)).toEqual(['oracle-e2e', 'lp']);
    expect(ribbons[0].data).toEqual([
      [0.001, 57, 62, 0.01, 37, 42],
      [0.01, 37, 42, 0.1, 17, 22],
    ]);
  });

  it('draws Theorem 4’s band from the result’s numbers, on the SNR(z) panel only', () => {
    const o = noiseSnrOption(noise, 'z') as unknown as Opt;
    const band = o.series.filter((s) => s.name === THEOREM4_LABEL);
    expect(band.map((s) => s.type)).toEqual(['custom', 'line', 'line']);
    const sorted = [...noise.points].sort((a, b) => a.sigma - b.sigma);
    expect(band[1].data).toEqual(sorted.map((p) => [p.sigma, p.theorem4.snrZ.low]));
    expect(band[2].data).toEqual(sorted.map((p) => [p.sigma, p.theorem4.snrZ.high]));
    expect(band[1].lineStyle?.type).toBe('dashed');
    expect(band[0].data[0]).toEqual([
      0.001,
      sorted[0].theorem4.snrZ.low,
      sorted[0].theorem4.snrZ.high,
      0.01,
      sorted[1].theorem4.snrZ.low,
      sorted[1].theorem4.snrZ.high,
    ]);
    const image = noiseSnrOption(noise, 'image') as unknown as Opt;
    expect(image.yAxis.name).toBe('SNR of G(ẑ) (dB)');
    expect(image.series.some((s) => s.name === THEOREM4_LABEL)).toBe(false);
    expect(image.legend.data).toEqual(['oracle-e2e', 'lp']);
    expect(image.series.find((s) => s.name === 'lp' && s.type === 'line')?.data[0]).toEqual([0.001, 60]);
  });

  it('leaves out band points with an infinite end (a singular supported matrix)', () => {
    const broken: NoiseResult = {
      ...noise,
      points: noise.points.map((p, i) => (i === 0 ? { ...p, theorem4: { snrZ: { low: -Infinity, high: 10 } } } : p)),
    };
    expect(theorem4Band(broken).map((b) => b.sigma)).toEqual([0.001, 0.01]);
  });

  it('marks the 400 dB cap when a quantile reaches it, and not otherwise', () => {
    expect(noiseSnrOption(noise, 'z').series as Series[]).not.toContainEqual(
      expect.objectContaining({ markLine: expect.anything() }),
    );
    const exact: NoiseResult = {
      ...noise,
      points: noise.points.map((p) => ({
        ...p,
        methods: { ...p.methods, lp: { ...p.methods.lp!, snrZ: { p10: 380, p50: 400, p90: 400 } } },
      })),
    };
    const o = noiseSnrOption(exact, 'z') as unknown as Opt;
    const marked = o.series.filter((s) => s.markLine !== undefined);
    expect(marked.map((s) => [s.name, s.type])).toEqual([['oracle-e2e', 'line']]);
    expect(marked[0].markLine?.data).toEqual([{ yAxis: SNR_CAP_DB }]);
    expect((noiseSnrOption(exact, 'image') as unknown as Opt).series.some((s) => s.markLine)).toBe(false);
  });

  it('success rate against σ, in %', () => {
    const o = noiseSuccessOption(noise) as unknown as Opt;
    expect(o.xAxis.type).toBe('log');
    expect(o.yAxis.name).toBe('success rate (%)');
    expect(o.series.map((s) => s.name)).toEqual(['oracle-e2e', 'lp']);
    expect(o.series[1].data).toEqual([
      [0.001, 50],
      [0.01, 0],
      [0.1, 0],
    ]);
  });
});
