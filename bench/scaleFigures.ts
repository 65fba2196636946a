/**
 * The scale bench's two README figures (bench/scale.ts) as ECharts options,
 * drawn by the report service's SVG/PNG renderer like every other figure:
 * two panels side by side, time on the left, peak memory on the right, both
 * log-log.
 */
import { methodColor } from '../src/shared/figures/palette';
import { FONT_FAMILY } from '../src/shared/figures/text';
import type { ScaleEntry } from './scale';

type Option = Record<string, unknown>;
const textStyle = { fontFamily: FONT_FAMILY };
const REFERENCE = '#7f7f7f';

const logAxis = (name: string, gridIndex: number, values: number[], nameGap = 32) => ({
  type: 'log',
  gridIndex,
  name,
  nameLocation: 'middle',
  nameGap,
  // Whole decades (a log axis' ticks), wide enough for every point.
  min: (v: { min: number }) => 10 ** Math.floor(Math.log10(Math.min(v.min, ...values))),
  max: (v: { max: number }) => 10 ** Math.ceil(Math.log10(Math.max(v.max, ...values))),
  splitLine: { lineStyle: { color: '#e4e4e4' } },
  axisLine: { onZero: false },
  axisLabel: { fontFamily: FONT_FAMILY },
  nameTextStyle: { fontFamily: FONT_FAMILY },
});

const line = (name: string, data: [number, number][], axis: number, color: string, dashed = false) => ({
  name,
  type: 'line',
  xAxisIndex: axis,
  yAxisIndex: axis,
  color,
  symbol: dashed ? 'none' : 'circle',
  symbolSize: 6,
  lineStyle: { color, width: dashed ? 1.2 : 2, type: dashed ? 'dashed' : 'solid' },
  data,
});

/** A dashed stroke for the reference lines' legend entries (the default icon is a marker they do not draw). */
const DASHED_ICON = 'path://M0,4h7v2H0zM10,4h7v2H10zM20,4h7v2H20z';

function frame(
  title: string,
  subtext: string,
  legend: string[],
  references: string[],
  axes: object[],
  series: object[],
): Option {
  return {
    animation: false,
    textStyle,
    title: {
      text: title,
      subtext,
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    legend: {
      top: 62,
      data: [...legend, ...references.map((name) => ({ name, icon: DASHED_ICON, itemStyle: { color: REFERENCE } }))],
      textStyle,
    },
    grid: [
      { left: 80, width: 340, top: 110, bottom: 64 },
      { right: 40, width: 340, top: 110, bottom: 64 },
    ],
    xAxis: axes.filter((_, i) => i % 2 === 0),
    yAxis: axes.filter((_, i) => i % 2 === 1),
    series,
  };
}

/** How many runs each point had (the table keeps the fastest). */
const runsText = (entries: readonly ScaleEntry[]) => {
  const runs = entries[0]?.runs.length ?? 0;
  return runs > 1 ? `fastest of ${runs} runs` : `${runs} run`;
};

const byMethod = (entries: readonly ScaleEntry[]) => [...new Set(entries.map((e) => e.spec.method))];

/** Time (all of the child's work: model, prepare, inversion) and peak RSS against the signal count. */
export function scaleSignalsOption(entries: readonly ScaleEntry[]): Option {
  const methods = byMethod(entries);
  const counts = entries.map((e) => e.spec.count);
  const series: object[] = methods.flatMap((m) => {
    const rows = entries.filter((e) => e.spec.method === m).sort((a, b) => a.spec.count - b.spec.count);
    return [
      line(
        m,
        rows.map((e) => [e.spec.count, e.best.seconds.total]),
        0,
        methodColor(m),
      ),
      line(
        m,
        rows.map((e) => [e.spec.count, e.best.memoryMB.maxRss]),
        1,
        methodColor(m),
      ),
    ];
  });
  // What the process holds before it reads the model (Node, tsx, the compiled sources): the floor under every point.
  const BASE = 'process before the model';
  const base = Math.min(...entries.map((e) => e.best.memoryMB.rssBeforeModel));
  const span = [Math.min(...counts), Math.max(...counts)];
  series.push(
    line(
      BASE,
      span.map((c) => [c, base]),
      1,
      REFERENCE,
      true,
    ),
  );
  const times = entries.map((e) => e.best.seconds.total);
  const rss = entries.map((e) => e.best.memoryMB.maxRss);
  return frame(
    'Time and peak memory against the number of signals',
    `${entries[0]?.best.dims.join('-') ?? ''} MNIST generator · time: read the model, prepare, invert · one thread, one process per point · ${runsText(entries)}`,
    methods,
    [BASE],
    [
      logAxis('signals inverted', 0, counts),
      logAxis('wall time (s)', 0, times, 48),
      logAxis('signals inverted', 1, counts),
      logAxis('peak resident memory (MB)', 1, rss, 48),
    ],
    series,
  );
}

/**
 * Time and peak RSS against the last layers' width 4W of random:64,W,4W,4W,
 * with prepare()'s share of the time, and for memory a reference: the
 * process before the model plus six float64 copies of the last 4W × 4W
 * layer (W, Wᵀ, the product kernel's packed panels of both, WᵀW and its
 * Cholesky factor).
 */
export function scaleWidthsOption(entries: readonly ScaleEntry[]): Option {
  const methods = byMethod(entries);
  const width = (e: ScaleEntry) => e.best.dims[e.best.dims.length - 1];
  const series: object[] = methods.flatMap((m) => {
    const rows = entries.filter((e) => e.spec.method === m).sort((a, b) => width(a) - width(b));
    return [
      line(
        m,
        rows.map((e) => [width(e), e.best.seconds.total]),
        0,
        methodColor(m),
      ),
      line(
        m,
        rows.map((e) => [width(e), e.best.memoryMB.maxRss]),
        1,
        methodColor(m),
      ),
    ];
  });
  const PREPARE = 'prepare (Wᵀ, WᵀW, λ_max)';
  const COPIES = 'start-up + 6 copies of the last layer';
  const first = entries.filter((e) => e.spec.method === methods[0]).sort((a, b) => width(a) - width(b));
  const base = Math.min(...entries.map((e) => e.best.memoryMB.rssBeforeModel));
  series.push(
    line(
      PREPARE,
      first.map((e) => [
        width(e),
        Math.min(...entries.filter((o) => width(o) === width(e)).map((o) => o.best.seconds.prepare)),
      ]),
      0,
      REFERENCE,
      true,
    ),
    // W, Wᵀ, the kernel's packed panels of both, WᵀW and its Cholesky factor: 8 bytes × (4W)² each.
    line(
      COPIES,
      first.map((e) => [width(e), base + (6 * 8 * width(e) ** 2) / 1e6]),
      1,
      REFERENCE,
      true,
    ),
  );
  const widths = entries.map(width);
  const signals = entries[0]?.spec.count ?? 0;
  return frame(
    'Time and peak memory against the layer width',
    `random:64,W,4W,4W:tanh (64-1024-4096-4096 at the right) · ${signals} signals · one thread, one process per point · ${runsText(entries)}`,
    methods,
    [PREPARE, COPIES],
    [
      logAxis('width of the last two layers, 4W (units)', 0, widths),
      logAxis(
        'wall time (s)',
        0,
        entries.map((e) => e.best.seconds.total),
        48,
      ),
      logAxis('width of the last two layers, 4W (units)', 1, widths),
      logAxis(
        'peak resident memory (MB)',
        1,
        entries.map((e) => e.best.memoryMB.maxRss),
        48,
      ),
    ],
    series,
  );
}
