import type { InvertReport, SignalOutcome } from '../../core/experiments/invert';
import type { MethodId } from '../../core/pursuit/types';
import { methodColor } from './palette';
import { FONT_FAMILY, quantile, sub, textStyle } from './text';

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
 * Fig. 3 of the paper: the SNR of every layer of the recovered signal, one box
 * per method and layer (box 25–75%, line the median, whiskers 10–90%, so a few
 * failures do not stretch the whiskers to 0 dB). SNRs are in dB already, so
 * the axis is linear; recoveries exact to float64 sit at the 400 dB cap.
 */
export function invertSnrOption(report: InvertReport, animation = false): Option {
  const layers = invertLayers(report);
  const methods = reportMethods(report);
  return {
    animation,
    textStyle,
    title: {
      text: 'SNR of the recovered signal per layer',
      subtext: 'box: 25–75% of signals · line: median · whiskers: 10–90%',
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    legend: { top: 66, data: methods, textStyle },
    grid: { left: 72, right: 24, top: 108, bottom: 56 },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'category',
      data: layers.map((l) => l.label),
      name: 'layer',
      nameLocation: 'middle',
      nameGap: 30,
      axisLabel: { fontFamily: FONT_FAMILY },
    },
    yAxis: {
      type: 'value',
      name: 'SNR (dB)',
      // Zoom to the data: recoveries cluster near the 400 dB cap, far from 0.
      scale: true,
      nameLocation: 'middle',
      nameGap: 48,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series: methods.map((m) => {
      const signals = report.methods[m]!.signals;
      return {
        name: m,
        type: 'boxplot',
        itemStyle: { color: 'rgba(255,255,255,0.6)', borderColor: methodColor(m), borderWidth: 1.6 },
        data: layers.map((l) => {
          const v = signals.map(l.snr);
          return [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => quantile(v, q));
        }),
      };
    }),
  };
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
    grid: { left: 72, right: 24, top: 72, bottom: 56 },
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
