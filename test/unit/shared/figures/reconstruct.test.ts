// Step 4's figures (the reconstruction grid, line plots of non-image signals)
// and step 3's convergence curves: pure options, checked as data.
import { describe, expect, it } from 'vitest';
import type { InvertReport, SignalOutcome } from '../../../../src/core/experiments/invert';
import {
  absError,
  CONVERGENCE_X_LABEL,
  convergenceBand,
  convergenceOption,
  ERROR_COLOR,
  figuresOfRun,
  hasConvergence,
  HIDDEN_PIXEL_COLOR,
  observedSnr,
  reconstructionGridOption,
  reconstructionGridSize,
  reconstructionLinesOption,
  snrText,
  type ReconstructionPage,
} from '../../../../src/shared/figures';

interface Rect {
  style: { fill: string };
}
interface Series {
  name: string;
  type: string;
  data: (number | null)[][];
  lineStyle?: { type?: string };
  renderItem?: (p: unknown, api: { value(d: number): number; coord(p: [number, number]): [number, number] }) => Rect;
}
interface Opt {
  series: Series[];
  graphic: { type: string; style: { text?: string; fill?: string } }[];
  title: { text: string; subtext: string };
  xAxis: { type: string; name: string };
  yAxis: { type: string; name: string };
  legend: { data: string[] };
}

// Two 2 × 2 signals; in the first, pixel 1 is hidden and lp misses pixel 3 by 0.5.
const page: ReconstructionPage = {
  side: 2,
  methods: ['lp', 'oracle'],
  total: 10,
  rows: [
    {
      index: 4,
      truth: [-1, 1, 1, 1],
      observed: [-1, null, 1, 1],
      outputs: { lp: [-1, 1, 1, 0.5], oracle: [-1, 1, 1, 1] },
      snrImage: { lp: 12.04, oracle: 400 },
    },
    {
      index: 7,
      truth: [1, 1, 1, 1],
      observed: [1, 1, 1, 1],
      outputs: { lp: [1, 1, 1, 1], oracle: [1, 1, 1, 1] },
      snrImage: { lp: 400, oracle: 400 },
    },
  ],
};

describe('reconstruction grid', () => {
  it('has columns truth, observed, each G(ẑ) and each |error|, a row per signal, SNRs under the cells', () => {
    const option = reconstructionGridOption(page) as unknown as Opt;
    const texts = option.graphic.map((g) => g.style.text).filter((t): t is string => t !== undefined);
    expect(texts).toEqual(
      expect.arrayContaining(['G(z)', 'observed', 'lp: G(ẑ)', 'oracle: G(ẑ)', 'lp: |error|', 'oracle: |error|']),
    );
    expect(texts.filter((t) => t.startsWith('signal '))).toEqual(['signal 4', 'signal 7']);
    expect(texts).toEqual(expect.arrayContaining(['12.0 dB', '≥ 400 dB', 'noiseless', 'max 0.5']));
    expect(texts.some((t) => t.startsWith('hidden pixel'))).toBe(true);
    expect(option.title.text).toBe('Signals 4, 7 of 10: reconstructions');
    expect((reconstructionGridOption({ ...page, rows: [page.rows[0]] }) as unknown as Opt).title.text).toBe(
      'Signal 4 of 10: reconstructions',
    );
    const { width, height } = reconstructionGridSize(page);
    expect(width).toBe(84 + 6 * 90 - 10 + 16);
    expect(height).toBe(92 + 2 * 108 - 10 + 60);
  });

  it('draws hidden pixels in the mask colour and the error map on a white-to-red scale', () => {
    const option = reconstructionGridOption(page) as unknown as Opt;
    const [series] = option.series;
    const api = (d: (number | null)[]) => ({
      value: (i: number) => d[i] as number,
      coord: ([x, y]: [number, number]): [number, number] => [x, y],
    });
    const fills = series.data.map((d) => series.renderItem!(null, api(d)).style.fill);
    expect(fills).toContain(HIDDEN_PIXEL_COLOR);
    // lp's one wrong pixel is the page's largest error: full red; a right pixel white.
    expect(fills).toContain(ERROR_COLOR.toLowerCase());
    expect(series.data.filter((d) => d[4] === 256 + 255)).toHaveLength(1);
    // An error at rounding level stays white: the scale reaches at least 0.1% of the gray range.
    const exact = {
      ...page,
      rows: [{ ...page.rows[0], outputs: { lp: [-1, 1, 1, 1 + 1e-15], oracle: [-1, 1, 1, 1] } }],
    };
    const tiny = reconstructionGridOption(exact) as unknown as Opt;
    expect(Math.max(...tiny.series[0].data.filter((d) => d[4]! >= 256).map((d) => d[4]!))).toBe(256);
    // 2 signals × 6 cells × 2 rows of pixels at least one run each.
    expect(series.data.length).toBeGreaterThanOrEqual(24);
  });

  it("with onSelect, makes each row's label a link to that signal", () => {
    const picked: number[] = [];
    const option = reconstructionGridOption(page, undefined, (i) => picked.push(i)) as unknown as {
      graphic: { style: { text?: string }; onclick?: () => void }[];
    };
    option.graphic.find((g) => g.style.text === 'signal 7')!.onclick!();
    expect(picked).toEqual([7]);
    const plain = reconstructionGridOption(page) as unknown as { graphic: { onclick?: unknown }[] };
    expect(plain.graphic.some((g) => g.onclick !== undefined)).toBe(false);
  });

  it('measures |error| and the observation SNR on the known pixels', () => {
    expect(absError([1, -1], [0.5, -1.5])).toEqual([0.5, 0.5]);
    expect(observedSnr([1, 1], [1.1, null])).toBeCloseTo(20, 10);
    expect(observedSnr([1, 1], [1, null])).toBe(Number.POSITIVE_INFINITY);
    expect(snrText(401)).toBe('≥ 400 dB');
  });

  it('draws a non-image signal as lines, truth, observed dots and each method with its SNR', () => {
    const option = reconstructionLinesOption(page.rows[0], page.methods) as unknown as Opt;
    expect(option.series.map((s) => s.type)).toEqual(['line', 'scatter', 'line', 'line']);
    expect(option.series[1].data).toHaveLength(3); // the hidden pixel is not drawn
    expect(option.legend.data).toEqual(['G(z)', 'observed, ∞ dB', 'lp: G(ẑ), 12.0 dB', 'oracle: G(ẑ), ≥ 400 dB']);
  });
});

const signal = (history: number[]): SignalOutcome => ({
  relErrZ: 0,
  snrZ: 400,
  snrLayers: [400],
  snrImage: 400,
  iterations: history.length,
  stopReason: 'converged',
  saturated: 0,
  history,
});
const report = {
  settings: {
    count: 3,
    seed: 0,
    mask: { kind: 'none' },
    noise: { kind: 'none' },
    successThreshold: 1e-3,
    kernel: 'js',
  },
  methods: {
    lp: {
      seconds: 1,
      summary: {} as never,
      signals: [signal([100, 10, 1]), signal([1000, 100, 10, 0]), signal([10, 1])],
    },
  },
} as unknown as InvertReport;

describe('convergence curves', () => {
  it('takes quantiles point by point over the histories that reach it, leaving out values ≤ 0', () => {
    const band = convergenceBand(report, 'lp');
    expect(band.p50).toEqual([100, 10, 5.5, null]);
    expect(band.p10[0]).toBeCloseTo(28, 10);
    expect(band.dropped).toBe(1);
    expect(hasConvergence(report)).toBe(true);
  });

  it('draws median, band and the selected signal dashed, on a log axis labelled as thinned history points', () => {
    const option = convergenceOption(report, 1) as unknown as Opt;
    expect(option.yAxis.type).toBe('log');
    expect(option.xAxis.name).toBe(CONVERGENCE_X_LABEL);
    expect(option.series.map((s) => s.type)).toEqual(['line', 'custom', 'line']);
    expect(option.series[2].lineStyle!.type).toBe('dashed');
    expect(option.series[2].data).toEqual([
      [0, 1000],
      [1, 100],
      [2, 10],
      [3, null],
    ]);
    expect(option.title.subtext).toMatch(/dashed: signal 1 · 1 value\(s\) ≤ 0/);
    // Several points: a line without dots; a one-point history (the oracle's) is a dot.
    expect((option.series[0] as { showSymbol?: boolean }).showSymbol).toBe(false);
    const one = {
      ...report,
      methods: { oracle: { ...report.methods.lp!, signals: [signal([0.5]), signal([0.25])] } },
    } as InvertReport;
    const dots = convergenceOption(one, 0) as unknown as { series: { showSymbol?: boolean; data: unknown[] }[] };
    expect(dots.series[0].showSymbol).toBe(true);
    expect(dots.series[2]).toMatchObject({ showSymbol: true, data: [[0, 0.5]] });
  });

  it("is one of an invert run's figures when the run recorded histories", () => {
    const names = (r: InvertReport) => figuresOfRun('invert', r, { dims: [1, 2] }).map((f) => f.name);
    expect(names(report)).toContain('invert-convergence');
    const bare = {
      ...report,
      methods: { lp: { ...report.methods.lp!, signals: [{ ...signal([]), history: undefined }] } },
    } as InvertReport;
    expect(names(bare)).not.toContain('invert-convergence');
  });
});
