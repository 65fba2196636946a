import type { InvertReport, SignalOutcome } from '../../core/experiments/invert';
import type { MethodId } from '../../core/pursuit/types';
import { ribbon } from './custom';
import { reportMethods } from './invert';
import { methodColor, withAlpha } from './palette';
import { FONT_FAMILY, quantiles, textStyle } from './text';

type Option = Record<string, unknown>;

/** The x axis as it is: the recorded histories are thinned and their phases concatenated. */
export const CONVERGENCE_X_LABEL = 'history point (thinned to ≤ 100, phases concatenated)';

/** What a convergence panel plots: a phase's objective, or its misfit (the data term: the objective without its penalty). */
export type ConvergenceQuantity = 'objective' | 'misfit';

/** The y axis of each panel. */
export const CONVERGENCE_Y_LABELS: Record<ConvergenceQuantity, string> = {
  objective: 'objective (log scale)',
  misfit: 'misfit (log scale)',
};

/** Each panel's heading: what the quantity is. */
const PANEL_TITLES: Record<ConvergenceQuantity, string> = {
  objective: 'Objective: data term + penalty (λ‖x‖₁, γ prior)',
  misfit: 'Misfit: the data term alone',
};

const recorded = (s: SignalOutcome, quantity: ConvergenceQuantity) =>
  (quantity === 'objective' ? s.history : s.misfit) ?? [];

/** Per history point: the 10%, 50% and 90% quantiles of the positive values there (null where none). */
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

/** Whether the report's histories include the misfit (runs recorded before it existed have the objective only). */
export const hasMisfit = (report: InvertReport) =>
  reportMethods(report).some((m) => report.methods[m]!.signals.some((s) => (s.misfit?.length ?? 0) > 0));

/**
 * Quantiles of one method's objective (or misfit) histories, point by point:
 * point i over the signals whose history reaches it (histories may differ in length).
 */
export function convergenceBand(
  report: InvertReport,
  method: MethodId,
  quantity: ConvergenceQuantity = 'objective',
): ConvergenceBand {
  const histories = (report.methods[method]?.signals ?? []).map((s) => recorded(s, quantity));
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
      // JSON writes NaN (an exact step's placeholder) as null.
      const v = h[i] as number | null;
      if (v !== null && Number.isFinite(v) && v > 0) values.push(v);
      else band.dropped++;
    }
    const [p10, p50, p90] = values.length > 0 ? quantiles(values, [0.1, 0.5, 0.9]) : [null, null, null];
    band.p10.push(p10);
    band.p50.push(p50);
    band.p90.push(p90);
  }
  return band;
}

const positive = (v: number | null | undefined): v is number =>
  v !== null && v !== undefined && Number.isFinite(v) && v > 0;

/**
 * The figure's data as a tidy table, one row per method × history point:
 * the objective's and the misfit's 10/50/90% quantiles and, with `selected`,
 * that signal's own values (empty where not recorded). The option carries it
 * as its `dataset`, which the app's CSV export writes.
 */
export function convergenceTable(report: InvertReport, selected?: number): (string | number | null)[][] {
  const header = [
    'method',
    'point',
    'objective_p10',
    'objective_p50',
    'objective_p90',
    'misfit_p10',
    'misfit_p50',
    'misfit_p90',
    ...(selected !== undefined ? [`signal_${selected}_objective`, `signal_${selected}_misfit`] : []),
  ];
  const rows: (string | number | null)[][] = [header];
  // 6 significant digits, as the histories were stored (a quantile's interpolation adds float noise).
  const value = (v: number | null | undefined) =>
    v !== null && v !== undefined && Number.isFinite(v) ? Number(v.toPrecision(6)) : null;
  for (const m of reportMethods(report)) {
    const objective = convergenceBand(report, m, 'objective');
    const misfit = convergenceBand(report, m, 'misfit');
    const own = selected === undefined ? undefined : report.methods[m]?.signals[selected];
    const length = Math.max(objective.p50.length, misfit.p50.length);
    for (let i = 0; i < length; i++)
      rows.push([
        m,
        i,
        value(objective.p10[i]),
        value(objective.p50[i]),
        value(objective.p90[i]),
        value(misfit.p10[i]),
        value(misfit.p50[i]),
        value(misfit.p90[i]),
        ...(selected !== undefined ? [value(own?.history?.[i]), value(own?.misfit?.[i])] : []),
      ]);
  }
  return rows;
}

/** One panel's series: per method the median line, its 10–90% ribbon and the selected signal dashed. */
function panelSeries(
  report: InvertReport,
  quantity: ConvergenceQuantity,
  panel: number,
  selected: number | undefined,
): { series: Record<string, unknown>[]; dropped: number; values: number[] } {
  const series: Record<string, unknown>[] = [];
  const values: number[] = [];
  let dropped = 0;
  const axes = { xAxisIndex: panel, yAxisIndex: panel };
  const point = (v: number | null | undefined, i: number) => (positive(v) ? [i, v] : [i, null]);
  for (const m of reportMethods(report)) {
    const color = methodColor(m);
    const band = convergenceBand(report, m, quantity);
    dropped += band.dropped;
    values.push(...[...band.p10, ...band.p90].filter(positive));
    // A one-point history (the closed-form oracle) is a dot: a line needs two.
    series.push({
      name: m,
      type: 'line',
      ...axes,
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
      ...axes,
      color,
      z: 2,
      encode: { x: [0, 3], y: [1, 2, 4, 5] },
      renderItem: ribbon(withAlpha(color, 0.15)),
      tooltip: { show: false },
      data: segments,
    });
    const own = selected === undefined ? undefined : report.methods[m]?.signals[selected];
    if (own?.history !== undefined) {
      const ownValues = recorded(own, quantity);
      values.push(...ownValues.filter(positive));
      series.push({
        name: m,
        type: 'line',
        ...axes,
        color,
        symbol: 'emptyCircle',
        symbolSize: 7,
        showSymbol: ownValues.length === 1,
        lineStyle: { width: 1.6, type: 'dashed' },
        z: 6,
        data: ownValues.map((v, i) => point(v, i)),
      });
    }
  }
  return { series, dropped, values };
}

/**
 * Convergence of each method in two panels side by side: left the objective,
 * right the misfit (the same phases' data terms, without their penalties),
 * against the history point, on log axes over one common range so the two
 * read against each other (objectives span decades). Per method the median
 * over the signals with its 10–90% ribbon and, when `selected` is given,
 * that signal's own curve dashed; one legend toggles a method in both. The x
 * axis is the index into the recorded history — each signal's values thinned
 * to ≤ 100 evenly spaced points, phases concatenated — not an iteration
 * count: a jump marks a new phase. Non-positive values (exact fits) cannot
 * sit on a log axis and are left out. A run recorded before misfits were
 * (no `misfit`) gets the objective panel alone.
 */
export function convergenceOption(report: InvertReport, selected?: number, animation = false): Option {
  const methods = reportMethods(report);
  const quantities: ConvergenceQuantity[] = hasMisfit(report) ? ['objective', 'misfit'] : ['objective'];
  const panels = quantities.map((q, panel) => panelSeries(report, q, panel, selected));
  const dropped = panels.reduce((s, p) => s + p.dropped, 0);
  const values = panels.flatMap((p) => p.values);
  // One decade-aligned range for both panels (ECharts would pick each its own).
  const range =
    values.length > 0
      ? {
          min: 10 ** Math.floor(Math.log10(Math.min(...values))),
          max: 10 ** Math.ceil(Math.log10(Math.max(...values))),
        }
      : {};
  const parts = [
    `${report.settings.count} signals · line: median · band: 10–90%`,
    ...(selected !== undefined ? [`dashed: signal ${selected}`] : []),
    ...(dropped > 0 ? [`${dropped} value(s) ≤ 0 (exact fits) not shown on the log axis`] : []),
    ...(quantities.length === 1 ? ['misfit not recorded in this run'] : []),
  ];
  const two = quantities.length === 2;
  // Widths in % so the panels spread over a wide chart in the app as over the report's 960 px.
  const grid = two
    ? [
        { left: 80, right: '54%', top: 124, bottom: 60 },
        { left: '54%', right: 24, top: 124, bottom: 60 },
      ]
    : [{ left: 80, right: 32, top: 108, bottom: 60 }];
  return {
    animation,
    textStyle,
    title: [
      {
        text: two ? 'Convergence: objective and misfit per history point' : 'Convergence: objective per history point',
        subtext: parts.join(' · '),
        left: 'center',
        textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
        subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
      },
      ...(two
        ? quantities.map((q, panel) => ({
            text: PANEL_TITLES[q],
            top: 96,
            left: panel === 0 ? 80 : '54%',
            textStyle: { fontFamily: FONT_FAMILY, fontSize: 13, fontWeight: 'normal', color: '#222' },
          }))
        : []),
    ],
    legend: { top: 66, data: methods, textStyle, itemGap: 20 },
    grid,
    tooltip: { trigger: 'axis' },
    xAxis: quantities.map((_, panel) => ({
      type: 'value',
      gridIndex: panel,
      name: CONVERGENCE_X_LABEL,
      nameLocation: 'middle',
      nameGap: 32,
      min: 0,
      max: 'dataMax',
      splitLine: { show: false },
      axisLabel: { fontFamily: FONT_FAMILY },
    })),
    yAxis: quantities.map((q, panel) => ({
      type: 'log',
      gridIndex: panel,
      ...range,
      name: CONVERGENCE_Y_LABELS[q],
      nameLocation: 'middle',
      nameGap: 56,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
      axisLabel: { fontFamily: FONT_FAMILY, formatter: (v: number) => v.toExponential(0) },
    })),
    series: panels.flatMap((p) => p.series),
    // The data as a tidy table (not drawn: every series has its own data); the CSV export writes it.
    dataset: { source: convergenceTable(report, selected) },
  };
}
