import type { InvertReport } from '../../core/experiments/invert';
import type { MethodId } from '../../core/pursuit/types';
import { ribbon } from './custom';
import { reportMethods } from './invert';
import { methodColor, withAlpha } from './palette';
import { FONT_FAMILY, quantiles, textStyle } from './text';

type Option = Record<string, unknown>;

/** The x axis as it is: the recorded histories are thinned and their phases concatenated. */
export const CONVERGENCE_X_LABEL = 'history point (thinned to ≤ 100, phases concatenated)';

/** Per history point: the 10%, 50% and 90% quantiles of the positive objective values there (null where none). */
export interface ConvergenceBand {
  readonly p10: (number | null)[];
  readonly p50: (number | null)[];
  readonly p90: (number | null)[];
  /** Values left out because a log axis cannot show them (≤ 0: an exact fit; or not finite). */
  readonly dropped: number;
}

/** Whether any signal of the report carries an objective history (the invert job kind records them). */
export const hasConvergence = (report: InvertReport) =>
  reportMethods(report).some((m) => report.methods[m]!.signals.some((s) => (s.history?.length ?? 0) > 0));

/**
 * Quantiles of one method's objective histories, point by point: point i
 * over the signals whose history reaches it (histories may differ in length).
 */
export function convergenceBand(report: InvertReport, method: MethodId): ConvergenceBand {
  const histories = (report.methods[method]?.signals ?? []).map((s) => s.history ?? []);
  const length = Math.max(0, ...histories.map((h) => h.length));
  const band: { p10: (number | null)[]; p50: (number | null)[]; p90: (number | null)[]; dropped: number } = {
    p10: [],
    p50: [],
    p90: [],
    dropped: 0,
  };
  for (let i = 0; i < length; i++) {
    const values: number[] = [];
    for (const h of histories) {
      if (i >= h.length) continue;
      if (Number.isFinite(h[i]) && h[i] > 0) values.push(h[i]);
      else band.dropped++;
    }
    const [p10, p50, p90] = values.length > 0 ? quantiles(values, [0.1, 0.5, 0.9]) : [null, null, null];
    band.p10.push(p10);
    band.p50.push(p50);
    band.p90.push(p90);
  }
  return band;
}

/**
 * Convergence of each method: the objective against the history point, on a
 * log axis (objectives span decades), per method the median over the signals
 * with its 10–90% ribbon and, when `selected` is given, that signal's own
 * curve dashed. The x axis is the index into the recorded history — each
 * signal's objective values thinned to ≤ 100 evenly spaced points, phases
 * concatenated — not an iteration count: a jump marks a new phase.
 * Non-positive values (exact fits) cannot sit on a log axis and are left out.
 */
export function convergenceOption(report: InvertReport, selected?: number, animation = false): Option {
  const methods = reportMethods(report);
  const series: Record<string, unknown>[] = [];
  let dropped = 0;
  const point = (v: number | null | undefined, i: number) =>
    v !== null && v !== undefined && Number.isFinite(v) && v > 0 ? [i, v] : [i, null];
  for (const m of methods) {
    const color = methodColor(m);
    const band = convergenceBand(report, m);
    dropped += band.dropped;
    // A one-point history (the closed-form oracle) is a dot: a line needs two.
    series.push({
      name: m,
      type: 'line',
      color,
      symbol: 'circle',
      symbolSize: 7,
      showSymbol: band.p50.length === 1,
      lineStyle: { width: 2 },
      z: 5,
      data: band.p50.map((v, i) => point(v, i)),
    });
    const segments: number[][] = [];
    for (let i = 1; i < band.p50.length; i++) {
      const [a0, a1, b0, b1] = [band.p10[i - 1], band.p90[i - 1], band.p10[i], band.p90[i]];
      if (a0 !== null && a1 !== null && b0 !== null && b1 !== null) segments.push([i - 1, a0, a1, i, b0, b1]);
    }
    series.push({
      name: m,
      type: 'custom',
      color,
      z: 2,
      encode: { x: [0, 3], y: [1, 2, 4, 5] },
      renderItem: ribbon(withAlpha(color, 0.15)),
      tooltip: { show: false },
      data: segments,
    });
    const own = selected === undefined ? undefined : report.methods[m]?.signals[selected]?.history;
    if (own !== undefined)
      series.push({
        name: m,
        type: 'line',
        color,
        symbol: 'emptyCircle',
        symbolSize: 7,
        showSymbol: own.length === 1,
        lineStyle: { width: 1.6, type: 'dashed' },
        z: 6,
        data: own.map((v, i) => point(v, i)),
      });
  }
  const parts = [
    `${report.settings.count} signals · line: median · band: 10–90%`,
    ...(selected !== undefined ? [`dashed: signal ${selected}`] : []),
    ...(dropped > 0 ? [`${dropped} value(s) ≤ 0 (exact fits) not shown on the log axis`] : []),
  ];
  return {
    animation,
    textStyle,
    title: {
      text: 'Convergence: objective per history point',
      subtext: parts.join(' · '),
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    legend: { top: 66, data: methods, textStyle, itemGap: 20 },
    grid: { left: 80, right: 32, top: 108, bottom: 60 },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'value',
      name: CONVERGENCE_X_LABEL,
      nameLocation: 'middle',
      nameGap: 32,
      min: 0,
      max: 'dataMax',
      splitLine: { show: false },
      axisLabel: { fontFamily: FONT_FAMILY },
    },
    yAxis: {
      type: 'log',
      name: 'objective (log scale)',
      nameLocation: 'middle',
      nameGap: 56,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
      axisLabel: { fontFamily: FONT_FAMILY, formatter: (v: number) => v.toExponential(0) },
    },
    series,
  };
}
