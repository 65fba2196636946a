import type { InvertReport, SignalOutcome, SNR_CAP_DB } from '../../core/experiments/invert';
import type { MethodId } from '../../core/pursuit/types';
import { methodColor } from './palette';
import { FONT_FAMILY, percent, quantiles, sub, textStyle } from './text';

type Option = Record<string, unknown>;

/** A layer of an invert report as figures and CSV name it: z, x₁ … x_L, the image G(z). */
export interface InvertLayer {
  /** Machine name, for CSV and ids: `z`, `x1`, …, `image`. */
  readonly key: string;
  /** As a figure sets it: `z`, `x₁`, …, `image`. */
  readonly label: string;
  readonly snr: (s: SignalOutcome) => number;
}

/** The layers of a report, from the first signal's hidden-layer count (every signal has the same). */
export function invertLayers(report: InvertReport): InvertLayer[] {
  const first = Object.values(report.methods).find((m) => m !== undefined && m.signals.length > 0);
  const hidden = first?.signals[0].snrLayers.length ?? 0;
  return [
    { key: 'z', label: 'z', snr: (s) => s.snrZ },
    ...Array.from({ length: hidden }, (_, i) => ({
      key: `x${i + 1}`,
      label: `x${sub(i + 1)}`,
      snr: (s: SignalOutcome) => s.snrLayers[i],
    })),
    { key: 'image', label: 'image G(z)', snr: (s) => s.snrImage },
  ];
}

/** The methods of a report, in the spec's order (JSON keeps insertion order). */
export const reportMethods = (report: InvertReport) =>
  (Object.keys(report.methods) as MethodId[]).filter((m) => report.methods[m] !== undefined);

/**
 * SNRs are capped at this in core (float64 recovery can be exact to the last
 * bit, and JSON has no Infinity). Typed from core's constant, so the two
 * cannot drift apart: shared may import only core's types.
 */
export const SNR_CAP: typeof SNR_CAP_DB = 400;

/** The 10/25/50/75/90% quantiles of every layer's SNR, per method: what a box of Fig. 3 draws. */
export function layerBoxes(report: InvertReport, layers = invertLayers(report)): Partial<Record<MethodId, number[][]>> {
  const boxes: Partial<Record<MethodId, number[][]>> = {};
  for (const m of reportMethods(report)) {
    const signals = report.methods[m]!.signals;
    boxes[m] = layers.map((l) => {
      const v = signals.map(l.snr);
      return quantiles(v, [0.1, 0.25, 0.5, 0.75, 0.9]);
    });
  }
  return boxes;
}

/** Whether any signal of the report has a layer at the SNR cap (recovered exactly to float64). */
export function reachesCap(report: InvertReport, layers = invertLayers(report)): boolean {
  return reportMethods(report).some((m) =>
    report.methods[m]!.signals.some((s) => layers.some((l) => l.snr(s) >= SNR_CAP)),
  );
}

/**
 * The dashed line at the cap, labelled, so a box pressed against it reads as
 * "exact to float64", not as a measured 400 dB. Rides on a series' markLine.
 */
export const capMarkLine = () => ({
  silent: true,
  symbol: 'none',
  lineStyle: { type: 'dashed', color: '#777', width: 1 },
  label: {
    formatter: `${SNR_CAP} dB cap: exact to float64`,
    position: 'insideStartTop',
    fontFamily: FONT_FAMILY,
    fontSize: 11,
    color: '#555',
  },
  data: [{ yAxis: SNR_CAP }],
});

export interface LayerSnrText {
  readonly title: string;
  readonly subtext: string;
}

export interface LayerSnrOptions {
  readonly animation?: boolean;
  /** A fixed y range and tick interval (dB), so panels of several settings compare at a glance; zoomed to the data if absent. */
  readonly yRange?: { readonly min: number; readonly max: number; readonly interval: number };
}

/**
 * Per-layer SNR boxes of an invert report, one box per method and layer (box
 * 25–75%, line the median, whiskers 10–90%, so a few failures do not stretch
 * the whiskers to 0 dB). SNRs are in dB already, so the axis is linear; the
 * legend gives each method's success rate; recoveries exact to float64 sit on
 * the dashed 400 dB cap line. Fig. 3 of the paper, for one setting.
 */
export function layerSnrOption(report: InvertReport, text: LayerSnrText, options: LayerSnrOptions = {}): Option {
  const layers = invertLayers(report);
  const methods = reportMethods(report);
  const boxes = layerBoxes(report, layers);
  const success = Object.fromEntries(methods.map((m) => [m, report.methods[m]!.summary.successRate]));
  const capped = reachesCap(report, layers);
  const series: Record<string, unknown>[] = methods.map((m) => ({
    name: m,
    type: 'boxplot',
    itemStyle: { color: 'rgba(255,255,255,0.6)', borderColor: methodColor(m), borderWidth: 1.6 },
    data: boxes[m],
  }));
  if (capped && series.length > 0) series[0].markLine = capMarkLine();
  const range = options.yRange;
  return {
    animation: options.animation ?? false,
    textStyle,
    title: {
      text: text.title,
      subtext: text.subtext,
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    // Above the plot area, so it never covers a box; the success rate rides on each method's name.
    legend: {
      top: 66,
      data: methods,
      textStyle,
      itemGap: 20,
      formatter: (name: string) => (name in success ? `${name}: ${percent(success[name])}` : name),
    },
    grid: { left: 72, right: 24, top: 108, bottom: 56 },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'category',
      data: layers.map((l) => l.label),
      name: 'layer',
      nameLocation: 'middle',
      nameGap: 30,
      axisLabel: { fontFamily: FONT_FAMILY },
      // At the foot of the plot, not across it at 0 dB: SNRs of failures go negative.
      axisLine: { onZero: false },
    },
    yAxis: {
      type: 'value',
      name: 'SNR (dB)',
      // Zoom to the data unless told: recoveries cluster near the 400 dB cap, far from 0.
      ...(range !== undefined ? { ...range } : { scale: true, ...(capped ? { max: SNR_CAP } : {}) }),
      nameLocation: 'middle',
      nameGap: 48,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series,
  };
}

/** Fig. 3 of the paper for an invert run: the SNR of every layer of the recovered signal, per method. */
export function invertSnrOption(report: InvertReport, animation = false): Option {
  return layerSnrOption(
    report,
    {
      title: 'SNR of the recovered signal per layer',
      subtext: `${report.settings.count} signals · box: 25–75% · line: median · whiskers: 10–90% · legend: % recovered`,
    },
    { animation },
  );
}

/** Success rate (‖ẑ − z‖/‖z‖ below the threshold) per method, in %. */
export function invertSuccessOption(report: InvertReport, animation = false): Option {
  const methods = reportMethods(report);
  return {
    animation,
    textStyle,
    title: {
      text: 'Recovery success per method',
      subtext: `success: ‖ẑ − z‖ / ‖z‖ < ${report.settings.successThreshold} · ${report.settings.count} signals`,
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    // Room above 100% for the bars' value labels, clear of the subtitle.
    grid: { left: 72, right: 24, top: 100, bottom: 56 },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'category', data: methods, name: 'method', nameLocation: 'middle', nameGap: 30 },
    yAxis: {
      type: 'value',
      name: 'success rate (%)',
      nameLocation: 'middle',
      nameGap: 48,
      min: 0,
      max: 100,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series: [
      {
        name: 'success rate',
        type: 'bar',
        barMaxWidth: 64,
        label: { show: true, position: 'top', formatter: (p: { value: number }) => `${p.value.toFixed(1)}%` },
        data: methods.map((m) => ({
          value: 100 * report.methods[m]!.summary.successRate,
          itemStyle: { color: methodColor(m) },
        })),
      },
    ],
  };
}
