// Step 4's figures (the reconstruction grid, line plots of non-image signals)
// and step 3's convergence curves: pure options, checked as data.
import { describe, expect, it } from 'vitest';
import type { InvertReport, SignalOutcome } from '../../../../src/core/experiments/invert';
import {
  absError,
  CONVERGENCE_X_LABEL,
  CONVERGENCE_Y_LABELS,
  convergenceBand,
  convergenceOption,
  convergenceTable,
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
import { optionCsv } from '../../../../src/renderer/src/chartExport';

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
  shape: [2, 2],
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

  it('draws a non-square image (a recorded shape) row by row, its aspect kept, centred in the cell', () => {
    // One 1 × 4 signal: a strip of four pixels, 80/4 = 20 px each, 30 px down in its 80 px cell.
    const strip: ReconstructionPage = {
      shape: [1, 4],
      methods: ['lp'],
      total: 1,
      rows: [{ index: 0, truth: [0, 1, 2, 3], observed: [0, 1, 2, 3], outputs: { lp: [0, 1, 2, 3] }, snrImage: {} }],
    };
    const [series] = (reconstructionGridOption(strip) as unknown as Opt).series;
    const truthCell = series.data.filter((d) => d[0]! < 84 + 80);
    expect(truthCell.map((d) => d.slice(0, 4))).toEqual([0, 1, 2, 3].map((i) => [84 + 20 * i, 92 + 30, 20, 20]));
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

const signal = (history: number[], misfit?: number[]): SignalOutcome => ({
  relErrZ: 0,
  snrZ: 400,
  snrLayers: [400],
  snrImage: 400,
  iterations: history.length,
  stopReason: 'converged',
  saturated: 0,
  history,
  ...(misfit !== undefined ? { misfit } : {}),
});
// lp's misfits: the objectives less a penalty (the last point an exact fit, 0).
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
      signals: [
        signal([100, 10, 1], [90, 9, 0.5]),
        signal([1000, 100, 10, 0], [900, 50, 5, 0]),
        signal([10, 1], [8, 0.8]),
      ],
    },
  },
} as unknown as InvertReport;
/** The same run as recorded before misfits were: objectives only. */
const objectiveOnly = {
  ...report,
  methods: { lp: { ...report.methods.lp!, signals: report.methods.lp!.signals.map((s) => signal(s.history!)) } },
} as InvertReport;

interface ConvSeries extends Series {
  xAxisIndex: number;
  yAxisIndex: number;
  showSymbol?: boolean;
}
interface ConvOpt {
  series: ConvSeries[];
  title: { text: string; subtext?: string }[];
  xAxis: { type: string; name: string; gridIndex: number }[];
  yAxis: { type: string; name: string; gridIndex: number; min?: number; max?: number }[];
  grid: unknown[];
  legend: { data: string[] };
  dataset: { source: (string | number | null)[][] };
}

describe('convergence curves', () => {
  it('takes quantiles point by point over the histories that reach it, leaving out values ≤ 0', () => {
    const band = convergenceBand(report, 'lp');
    expect(band.p50).toEqual([100, 10, 5.5, null]);
    expect(band.p10[0]).toBeCloseTo(28, 10);
    expect(band.dropped).toBe(1);
    expect(hasConvergence(report)).toBe(true);
    // The misfit's band, from the same points.
    const misfit = convergenceBand(report, 'lp', 'misfit');
    expect(misfit.p50).toEqual([90, 9, 2.75, null]);
    expect(misfit.dropped).toBe(1);
    expect(convergenceBand(objectiveOnly, 'lp', 'misfit').p50).toEqual([]);
  });

  it('draws objective and misfit in two log panels: median, band and the selected signal dashed in each', () => {
    const option = convergenceOption(report, 1) as unknown as ConvOpt;
    expect(option.grid).toHaveLength(2);
    expect(option.xAxis.map((a) => [a.name, a.gridIndex])).toEqual([
      [CONVERGENCE_X_LABEL, 0],
      [CONVERGENCE_X_LABEL, 1],
    ]);
    expect(option.yAxis.map((a) => [a.type, a.name])).toEqual([
      ['log', CONVERGENCE_Y_LABELS.objective],
      ['log', CONVERGENCE_Y_LABELS.misfit],
    ]);
    // One decade-aligned range for both, so the panels compare: 0.5 … 1000 → 0.1 … 1000.
    expect(option.yAxis.map((a) => [a.min, a.max])).toEqual([
      [0.1, 1000],
      [0.1, 1000],
    ]);
    const objective = option.series.filter((s) => s.yAxisIndex === 0);
    const misfit = option.series.filter((s) => s.yAxisIndex === 1);
    expect(objective.map((s) => s.type)).toEqual(['line', 'custom', 'line']);
    expect(misfit.map((s) => s.type)).toEqual(['line', 'custom', 'line']);
    expect(misfit.every((s) => s.xAxisIndex === 1)).toBe(true);
    expect(objective[2].lineStyle!.type).toBe('dashed');
    expect(objective[2].data).toEqual([
      [0, 1000],
      [1, 100],
      [2, 10],
      [3, null],
    ]);
    expect(misfit[0].data).toEqual([
      [0, 90],
      [1, 9],
      [2, 2.75],
      [3, null],
    ]);
    expect(misfit[2]).toMatchObject({
      lineStyle: { type: 'dashed' },
      data: [
        [0, 900],
        [1, 50],
        [2, 5],
        [3, null],
      ],
    });
    // One legend entry per method toggles it in both panels.
    expect(option.legend.data).toEqual(['lp']);
    expect(new Set(option.series.map((s) => s.name))).toEqual(new Set(['lp']));
    expect(option.title[0].text).toBe('Convergence: objective and misfit per history point');
    expect(option.title[0].subtext).toMatch(/dashed: signal 1 · 2 value\(s\) ≤ 0/);
    // Several points: a line without dots; a one-point history (the oracle's) is a dot.
    expect(objective[0].showSymbol).toBe(false);
    const one = {
      ...report,
      methods: { oracle: { ...report.methods.lp!, signals: [signal([0.5], [0.5]), signal([0.25], [0.25])] } },
    } as InvertReport;
    const dots = convergenceOption(one, 0) as unknown as ConvOpt;
    expect(dots.series[0].showSymbol).toBe(true);
    expect(dots.series[2]).toMatchObject({ showSymbol: true, data: [[0, 0.5]] });
    expect(dots.series[5]).toMatchObject({ yAxisIndex: 1, showSymbol: true, data: [[0, 0.5]] });
  });

  it('carries its data as a tidy table, which the CSV export writes with the misfit columns', () => {
    const option = convergenceOption(report, 1) as unknown as ConvOpt;
    expect(convergenceTable(report, 1)).toEqual(option.dataset.source);
    const csv = optionCsv(option as unknown as Record<string, unknown>)
      .trimEnd()
      .split('\n');
    expect(csv[0]).toBe(
      'method,point,objective_p10,objective_p50,objective_p90,misfit_p10,misfit_p50,misfit_p90,signal_1_objective,signal_1_misfit',
    );
    // One row per history point of lp; the selected signal's own values at the end.
    expect(csv).toHaveLength(1 + 4);
    expect(csv[1].split(',').slice(0, 2)).toEqual(['lp', '0']);
    expect(csv[1].split(',')[6]).toBe('90');
    expect(csv[2].split(',').slice(-2)).toEqual(['100', '50']);
    // An exact fit (0) has no place on the log axis; it stays in the data.
    expect(csv[4].split(',').slice(-2)).toEqual(['0', '0']);
  });

  it('opens a run recorded before misfits were: the objective panel alone, said so', () => {
    const option = convergenceOption(objectiveOnly, 1) as unknown as ConvOpt;
    expect(option.grid).toHaveLength(1);
    expect(option.yAxis.map((a) => a.name)).toEqual([CONVERGENCE_Y_LABELS.objective]);
    expect(option.series.map((s) => s.type)).toEqual(['line', 'custom', 'line']);
    expect(option.title[0].subtext).toMatch(/misfit not recorded in this run/);
    expect(option.dataset.source[1].slice(5, 8)).toEqual([null, null, null]);
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
