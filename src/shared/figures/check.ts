import type { CheckLayer, CheckReport } from '../../core/experiments/check';
import { FONT_FAMILY, percent, sub, textStyle } from './text';
import { errorBar, type CustomApi } from './custom';

type Option = Record<string, unknown>;

const OK = '#2e7d32';
const FAIL = '#c62828';

/**
 * The check's per-layer sparsity: per hidden layer its width n_i, the median
 * s_i with its 10–90% range, and Theorem 2's bounds on it — s₁ ≥ n₀ on the
 * first layer, s_i < s_{i+1} between layers, s_L < n on the last — coloured
 * by the fraction of samples for which the layer's conditions held. `dims`
 * ([n₀, n₁, …, n], from the run's spec.json) places the n₀ and n bounds; a
 * report alone does not carry n₀ and n.
 */
export function checkSparsityOption(report: CheckReport, dims?: readonly number[], animation = false): Option {
  const layers = report.layers;
  const L = layers.length;
  const marks: { category: number; value: number; label: string; pass: number }[] = [];
  layers.forEach((l, c) => {
    const i = l.index;
    const pass = l.theorem2.passFraction;
    if (i === 1 && dims !== undefined) marks.push({ category: c, value: dims[0], label: `s₁ ≥ n₀ = ${dims[0]}`, pass });
    if (c + 1 < L) {
      const next = layers[c + 1].sparsity.median;
      marks.push({ category: c, value: next, label: `s${sub(i)} < s${sub(i + 1)} ≈ ${next}`, pass });
    } else if (dims !== undefined) {
      const n = dims[dims.length - 1];
      marks.push({ category: c, value: n, label: `s${sub(i)} < n = ${n}`, pass });
    }
  });
  return {
    animation,
    textStyle,
    title: {
      text: 'Sparsity of the hidden layers and Theorem 2',
      subtext: `${report.samples} samples · Theorem 2 holds for ${percent(report.theorems.theorem2.passFraction)}`,
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    legend: {
      top: 66,
      textStyle,
      data: ['width nᵢ', 'median sᵢ', '10–90% of sᵢ', 'Theorem 2 bound'],
    },
    grid: { left: 72, right: 24, top: 108, bottom: 64 },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'category',
      data: layers.map(
        (l) => `x${sub(l.index)}: n${sub(l.index)} = ${l.n}\nTheorem 2 holds: ${percent(l.theorem2.passFraction)}`,
      ),
      axisTick: { alignWithLabel: true },
      axisLabel: { fontFamily: FONT_FAMILY, lineHeight: 18 },
    },
    yAxis: {
      type: 'value',
      name: 'active units sᵢ (count)',
      nameLocation: 'middle',
      nameGap: 48,
      min: 0,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series: [
      {
        name: 'width nᵢ',
        type: 'bar',
        barWidth: '46%',
        barMaxWidth: 140,
        itemStyle: { color: '#d7dde8' },
        data: layers.map((l) => l.n),
      },
      {
        name: 'median sᵢ',
        type: 'bar',
        barWidth: '30%',
        barMaxWidth: 90,
        barGap: '-82%',
        itemStyle: { color: '#3d6fb6' },
        data: layers.map((l) => l.sparsity.median),
      },
      {
        name: '10–90% of sᵢ',
        type: 'custom',
        itemStyle: { color: '#1b2a41' },
        encode: { x: 0, y: [1, 2] },
        data: layers.map((l, c) => [c, l.sparsity.p10, l.sparsity.p90]),
        renderItem: errorBar,
        z: 3,
      },
      {
        name: 'Theorem 2 bound',
        type: 'scatter',
        symbol: 'rect',
        symbolSize: [64, 3],
        z: 4,
        itemStyle: { color: OK },
        data: marks.map((m) => {
          const color = m.pass === 1 ? OK : FAIL;
          return {
            value: [m.category, m.value],
            itemStyle: { color },
            label: {
              show: true,
              position: 'right',
              distance: 4,
              color,
              fontFamily: FONT_FAMILY,
              backgroundColor: 'rgba(255, 255, 255, 0.9)',
              padding: [2, 4],
              formatter: m.label,
            },
          };
        }),
      },
    ],
  };
}

/** One colour per hidden layer, in order (the coherence figure's lines and bars). */
const LAYER_COLORS = ['#3d6fb6', '#d9822b', '#6a3d9a', '#1b9e77', '#c62828', '#7f7f7f'];
const layerColor = (c: number) => LAYER_COLORS[c % LAYER_COLORS.length];
/** One colour per theorem, everywhere in the check's figures. */
export const THEOREM_COLORS = { theorem1: '#3d6fb6', theorem2: '#2e7d32', theorem3: '#d9822b' } as const;

const sig3 = (x: number) => String(Number(x.toPrecision(3)));
/** A threshold as labelled: one decimal at most from 10 up (161.5), three significant digits below (0.643, 2.15). */
const thresholdText = (x: number) => (x >= 10 ? String(Number(x.toFixed(1))) : sig3(x));
/** x rounded up to a multiple of half its power of ten (639 → 650, 166 → 200): an axis end with round ticks. */
function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(x)) / 2;
  return Math.ceil(x / step) * step;
}
const titleOf = (text: string, subtext: string) => ({
  text,
  subtext,
  left: 'center',
  textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
  subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
});

/** A threshold drawn on a layer's sᵢ histogram: where (in active units), what it is, and which theorem sets it. */
export interface HistogramThreshold {
  /** Short label on the line, e.g. `n₀`. */
  readonly short: string;
  /** The legend's entry, e.g. `Theorem 2: s₁ ≥ n₀ = 20`. */
  readonly name: string;
  readonly value: number;
  readonly theorem: 'theorem1' | 'theorem2' | 'theorem3';
  /** Fraction of the samples meeting the condition. */
  readonly pass: number;
}

/**
 * The thresholds of Theorems 1–3 on hidden layer `c` (0-based) of a check
 * report: n₀ (s₁ ≥ n₀, first layer), the next layer's median sᵢ₊₁ (sᵢ < sᵢ₊₁),
 * n or the pixels with equations (s_L < n, last layer), spark/2 (its certified
 * lower bound; none when the rows have full column rank: spark = ∞) and
 * 1/(3μ) (Theorem 3), all as medians over the samples.
 */
export function histogramThresholds(report: CheckReport, c: number): HistogramThreshold[] {
  const layers = report.layers;
  const l = layers[c];
  const i = l.index;
  const s = `s${sub(i)}`;
  const cond = l.conditions;
  const holds = (f: number) => ` — holds for ${percent(f)}`;
  const out: HistogramThreshold[] = [];
  if (i === 1) {
    const f = cond.lower ?? Number.NaN;
    out.push({
      short: 'n₀',
      name: `Theorem 2: s₁ ≥ n₀ = ${report.n0}${holds(f)}`,
      value: report.n0,
      theorem: 'theorem2',
      pass: f,
    });
  }
  const upper = (short: string, name: string, value: number) =>
    out.push({ short, name: `Theorem 2: ${name}${holds(cond.upper)}`, value, theorem: 'theorem2', pass: cond.upper });
  if (c + 1 < layers.length) {
    const next = layers[c + 1].sparsity.median;
    upper(`s${sub(i + 1)}`, `${s} < s${sub(i + 1)} ≈ ${next}`, next);
  } else if (l.rows < report.n)
    upper('known pixels', `${s} < ${l.rows} pixels with equations (of n = ${report.n})`, l.rows);
  else upper('n', `${s} < n = ${report.n}`, report.n);
  if (l.sparkLowerBound !== null)
    out.push({
      short: 'spark/2',
      name: `Theorem 1: ${s} < spark/2 ≥ ${sig3(l.sparkLowerBound / 2)}${holds(cond.spark)}`,
      value: l.sparkLowerBound / 2,
      theorem: 'theorem1',
      pass: cond.spark,
    });
  if (Number.isFinite(l.theorem3.threshold) && l.theorem3.threshold < Number.MAX_VALUE)
    out.push({
      short: '1/(3μ)',
      name: `Theorem 3: ${s} < 1/(3μ) = ${sig3(l.theorem3.threshold)}${holds(cond.coherence)}`,
      value: l.theorem3.threshold,
      theorem: 'theorem3',
      pass: cond.coherence,
    });
  return out;
}

/**
 * Bins of a histogram given as counts per distinct value: width 1 (one bar
 * per value of sᵢ) while the values span at most 60, else the smallest
 * integer width giving at most 40 bins — and never narrower than `minWidth`
 * (a bin a few pixels wide on a long axis). Each bin: [from, to) and its count.
 */
export function histogramBins(h: { values: readonly number[]; counts: readonly number[] }, minWidth = 1) {
  if (h.values.length === 0) return { width: 1, bins: [] as [number, number, number][] };
  const lo = h.values[0];
  const hi = h.values[h.values.length - 1];
  const span = hi - lo + 1;
  const width = Math.max(span <= 60 ? 1 : Math.ceil(span / 40), Math.ceil(minWidth));
  const bins = new Map<number, number>();
  h.values.forEach((v, k) => {
    const start = lo + Math.floor((v - lo) / width) * width;
    bins.set(start, (bins.get(start) ?? 0) + h.counts[k]);
  });
  return { width, bins: [...bins].map(([from, count]) => [from, from + width, count] as [number, number, number]) };
}

/** A custom series' renderItem: a bar from (value(0), 0) to (value(1), value(2)), a histogram bin [from, to). */
function histogramBar(_params: unknown, api: CustomApi) {
  const a = api.coord([api.value(0), 0]);
  const b = api.coord([api.value(1), api.value(2)]);
  return {
    type: 'rect',
    shape: { x: a[0] + 0.5, y: b[1], width: Math.max(b[0] - a[0] - 1, 1), height: a[1] - b[1] },
    style: { fill: '#8fa9d6', stroke: '#3d6fb6', lineWidth: 0.5 },
  };
}

/**
 * The distribution of sᵢ over the samples for hidden layer `c` (0-based),
 * with the thresholds of Theorems 1–3 drawn as vertical lines (see
 * {@link histogramThresholds}): each labelled on the chart and named, with
 * its value, in the legend. The lines' tops are staggered so that labels of
 * nearby thresholds do not overlap.
 */
export function checkHistogramOption(report: CheckReport, c: number, animation = false): Option {
  const l = report.layers[c];
  const i = l.index;
  const s = `s${sub(i)}`;
  const thresholds = histogramThresholds(report, c);
  const order = [...thresholds].sort((a, b) => a.value - b.value);
  const last = l.histogram.values[l.histogram.values.length - 1] ?? 0;
  // Bins at least 1/120 of the axis wide: on an axis up to n = 784 a bin of one unit would be a hairline.
  const { width, bins } = histogramBins(l.histogram, Math.max(last, ...thresholds.map((t) => t.value)) / 120);
  const top = Math.max(1, ...bins.map((b) => b[2]));
  const xMax = Math.max(last + width, ...thresholds.map((t) => t.value));
  const styleOf = (t: HistogramThreshold) => ({
    color: THEOREM_COLORS[t.theorem],
    width: 2,
    type: t.theorem === 'theorem2' ? 'solid' : t.theorem === 'theorem1' ? 'dashed' : 'dotted',
  });
  // Room above the tallest bin for the staggered threshold labels, ending on a round count.
  const yMax = niceCeil(top * 1.4);
  return {
    animation,
    textStyle,
    title: titleOf(
      `Active units ${s} of hidden layer ${i} (n${sub(i)} = ${l.n}) over ${report.samples} samples`,
      `median ${s} = ${l.sparsity.median}, 10–90%: ${l.sparsity.p10}–${l.sparsity.p90}` +
        (l.sparkLowerBound === null ? ' · spark = ∞ (full column rank): Theorem 1’s spark bound holds' : '') +
        (width > 1 ? ` · bins of ${width}` : ''),
    ),
    legend: { top: 50, textStyle: { ...textStyle, fontSize: 12 }, data: ['samples', ...thresholds.map((t) => t.name)] },
    grid: { left: 72, right: 32, top: 120, bottom: 56 },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'value',
      name: `active units ${s} (count)`,
      nameLocation: 'middle',
      nameGap: 32,
      min: 0,
      max: niceCeil(xMax),
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      name: 'samples (count)',
      nameLocation: 'middle',
      nameGap: 48,
      min: 0,
      max: yMax,
      minInterval: 1,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series: [
      {
        name: 'samples',
        type: 'custom',
        itemStyle: { color: '#8fa9d6' },
        encode: { x: [0, 1], y: 2 },
        data: bins,
        renderItem: histogramBar,
      },
      ...thresholds.map((t) => {
        const rank = order.indexOf(t);
        const y = yMax * (0.97 - 0.11 * rank);
        return {
          name: t.name,
          type: 'line',
          symbol: 'none',
          data: [],
          itemStyle: { color: THEOREM_COLORS[t.theorem] },
          lineStyle: styleOf(t),
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: styleOf(t),
            label: {
              show: true,
              position: 'end',
              formatter: `${t.short} = ${thresholdText(t.value)}`,
              // Near an end of the axis a centred label would spill over it: align it inwards.
              align: t.value < 0.08 * niceCeil(xMax) ? 'left' : t.value > 0.92 * niceCeil(xMax) ? 'right' : 'center',
              color: THEOREM_COLORS[t.theorem],
              fontFamily: FONT_FAMILY,
              fontSize: 12,
              backgroundColor: 'rgba(255, 255, 255, 0.9)',
              padding: [1, 3],
            },
            data: [[{ coord: [t.value, 0] }, { coord: [t.value, y] }]],
          },
        };
      }),
    ],
  };
}

/**
 * The coherence view of a check: left, μ per hidden layer — of Wᵢ^{Sᵢ₊₁}
 * (median over samples, what the theorems use) and of the whole Wᵢ; middle,
 * the Babel function μ₁(k) against k per layer (median over samples, solid;
 * whole Wᵢ, dashed) with the level 1 whose first crossing certifies
 * spark ≥ k + 1 (marked per layer); right, Theorem 3's bound 1/(3μ) against
 * the measured median sᵢ, on a log scale.
 */
export function checkCoherenceOption(report: CheckReport, animation = false): Option {
  const layers = report.layers;
  const L = layers.length;
  const cats = layers.map((l) => `x${sub(l.index)}`);
  // The Babel panel shows k up to three times the last crossing of 1 (at least 10): the part that decides the bound.
  const stored = Math.max(1, ...layers.map((l) => l.babel.median.length));
  const crossingMax = Math.max(1, ...layers.map((l) => l.spark.fromBabel - 1));
  const K = Math.min(stored, Math.max(10, 3 * crossingMax));
  const rows = (l: CheckLayer) => (l.index === L ? `W${sub(l.index)}` : `W${sub(l.index)}^{S${sub(l.index + 1)}}`);
  // Widths in % so that the panels spread over a wide chart in the app as over the report's 960 px.
  const grid = [
    { left: '7%', width: '19%', top: 140, bottom: 60 },
    { left: '36%', width: '31%', top: 140, bottom: 60 },
    { left: '76%', width: '20%', top: 140, bottom: 60 },
  ];
  const axisName = (name: string, gap: number) => ({ name, nameLocation: 'middle', nameGap: gap });
  const babelTop = Math.max(1, ...layers.flatMap((l) => [...l.babel.median.slice(0, K), ...l.babel.full.slice(0, K)]));
  const babelSeries = layers.flatMap((l, c) => {
    const color = layerColor(c);
    const crossing = l.spark.fromBabel - 1;
    const head = (v: readonly number[]) => v.slice(0, K).map((x, k) => [k + 1, x]);
    return [
      {
        name: `μ₁(k) of ${rows(l)}`,
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        symbol: 'circle',
        symbolSize: 5,
        itemStyle: { color },
        lineStyle: { color, width: 2 },
        data: head(l.babel.median),
      },
      {
        name: `μ₁(k) of the whole W${sub(l.index)}`,
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        symbol: 'none',
        itemStyle: { color },
        lineStyle: { color, width: 1.5, type: 'dashed' },
        data: head(l.babel.full),
      },
      ...(crossing >= 1 && crossing <= K
        ? [
            {
              name: `μ₁(k) of ${rows(l)}`,
              type: 'scatter',
              xAxisIndex: 1,
              yAxisIndex: 1,
              symbol: 'diamond',
              symbolSize: 12,
              z: 5,
              itemStyle: { color, borderColor: '#fff', borderWidth: 1 },
              data: [[crossing, l.babel.median[crossing - 1]]],
            },
            {
              // The bound in words, in the panel's empty lower right (under the curves): layers often cross 1 at
              // the same k, so labels at the diamonds would collide.
              name: `μ₁(k) of ${rows(l)}`,
              type: 'scatter',
              xAxisIndex: 1,
              yAxisIndex: 1,
              symbolSize: 0,
              silent: true,
              label: {
                show: true,
                position: 'right',
                color,
                fontFamily: FONT_FAMILY,
                fontSize: 12,
                formatter: `◆ spark(${rows(l)}) ≥ ${l.spark.fromBabel}`,
              },
              data: [[1 + 0.4 * (K - 1), babelTop * (0.2 - 0.08 * c)]],
            },
          ]
        : []),
    ];
  });
  const t3 = layers.map((l) => l.theorem3.threshold);
  const logValues = [...t3, ...layers.map((l) => l.sparsity.median)].filter((v) => v > 0 && Number.isFinite(v));
  const logMin = 10 ** Math.floor(Math.log10(Math.min(...logValues, 1)));
  const logMax = 10 ** Math.ceil(Math.log10(Math.max(...logValues, 10)));
  // Bars on a log axis grow from 1 in ECharts (down for values below 1): drawn from the axis floor instead.
  const logBar =
    (offset: number, fill: string) => (_params: unknown, api: CustomApi & { size(v: [number, number]): number[] }) => {
      const band = api.size([1, 0])[0];
      const x = api.value(0);
      const value = api.value(1);
      const foot = api.coord([x, logMin]);
      const head = api.coord([x, value]);
      const w = band * 0.3;
      const left = foot[0] + offset * w - w / 2;
      return {
        type: 'group',
        children: [
          { type: 'rect', shape: { x: left, y: head[1], width: w, height: foot[1] - head[1] }, style: { fill } },
          {
            type: 'text',
            x: left + w / 2,
            y: head[1] - 4,
            style: {
              text: thresholdText(value),
              align: 'center',
              verticalAlign: 'bottom',
              fontSize: 11,
              fontFamily: FONT_FAMILY,
              fill: '#222',
            },
          },
        ],
      };
    };
  return {
    animation,
    textStyle,
    title: titleOf(
      'Coherence of the layers, the Babel function and Theorem 3',
      `${report.samples} samples · solid: Wᵢ on the next layer’s active rows, median over samples · dashed: the whole Wᵢ · ◆: first k with μ₁(k) ≥ 1, which certifies spark ≥ k + 1`,
    ),
    legend: { top: 52, left: 'center', width: 900, textStyle: { ...textStyle, fontSize: 12 } },
    tooltip: { trigger: 'item' },
    grid,
    xAxis: [
      { type: 'category', gridIndex: 0, data: cats, ...axisName('hidden layer', 28) },
      {
        type: 'value',
        gridIndex: 1,
        min: 1,
        max: K,
        minInterval: 1,
        ...axisName('k (number of other columns)', 28),
        splitLine: { show: false },
      },
      { type: 'category', gridIndex: 2, data: cats, ...axisName('hidden layer', 28) },
    ],
    yAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min: 0,
        max: 1,
        ...axisName('mutual coherence μ', 40),
        splitLine: { lineStyle: { color: '#e4e4e4' } },
      },
      {
        type: 'value',
        gridIndex: 1,
        min: 0,
        ...axisName('Babel function μ₁(k)', 36),
        splitLine: { lineStyle: { color: '#e4e4e4' } },
      },
      {
        type: 'log',
        gridIndex: 2,
        min: logMin,
        max: logMax,
        ...axisName('active units (count, log scale)', 44),
        splitLine: { lineStyle: { color: '#e4e4e4' } },
      },
    ],
    series: [
      {
        name: 'μ of Wᵢ on the active rows (median)',
        type: 'bar',
        xAxisIndex: 0,
        yAxisIndex: 0,
        itemStyle: { color: '#3d6fb6' },
        label: { show: true, position: 'top', fontSize: 11, formatter: (p: { value: number }) => p.value.toFixed(2) },
        data: layers.map((l) => l.coherence),
      },
      {
        name: 'μ of the whole Wᵢ',
        type: 'bar',
        xAxisIndex: 0,
        yAxisIndex: 0,
        itemStyle: { color: '#b8c7e0' },
        label: { show: true, position: 'top', fontSize: 11, formatter: (p: { value: number }) => p.value.toFixed(2) },
        data: layers.map((l) => l.coherenceFull),
      },
      ...babelSeries,
      {
        name: 'μ₁ = 1',
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        symbol: 'none',
        data: [],
        itemStyle: { color: '#555' },
        lineStyle: { color: '#555', type: 'dotted' },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: '#555', type: 'dotted', width: 1.5 },
          label: { show: false },
          data: [{ yAxis: 1 }],
        },
      },
      {
        name: 'median sᵢ',
        type: 'custom',
        xAxisIndex: 2,
        yAxisIndex: 2,
        itemStyle: { color: '#1b2a41' },
        encode: { x: 0, y: 1 },
        renderItem: logBar(-0.55, '#1b2a41'),
        data: layers.map((l, c) => [c, l.sparsity.median]),
      },
      {
        name: 'Theorem 3 needs sᵢ < 1/(3μ)',
        type: 'custom',
        xAxisIndex: 2,
        yAxisIndex: 2,
        itemStyle: { color: THEOREM_COLORS.theorem3 },
        encode: { x: 0, y: 1 },
        renderItem: logBar(0.55, THEOREM_COLORS.theorem3),
        data: t3.map((v, c) => [c, v]),
      },
    ],
  };
}

/** Each theorem's pass fraction per hidden layer and over all layers (a sample passes a theorem when every layer does). */
export function checkPassOption(report: CheckReport, animation = false): Option {
  const keys = ['theorem1', 'theorem2', 'theorem3'] as const;
  const names = {
    theorem1: 'Theorem 1 (any weights)',
    theorem2: 'Theorem 2 (Gaussian weights)',
    theorem3: 'Theorem 3 (pursuit recovers)',
  };
  const cats = [...report.layers.map((l) => `layer ${l.index} (x${sub(l.index)})`), 'all layers'];
  return {
    animation,
    textStyle,
    title: titleOf('Where the theorems hold', `${report.samples} samples · fraction of samples meeting each condition`),
    legend: { top: 50, textStyle, data: keys.map((k) => names[k]) },
    grid: { left: 72, right: 24, top: 100, bottom: 56 },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'category', data: cats, axisLabel: { fontFamily: FONT_FAMILY } },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      name: 'samples where it holds (fraction)',
      nameLocation: 'middle',
      nameGap: 48,
      axisLabel: { formatter: (v: number) => `${Math.round(100 * v)}%` },
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series: keys.map((k) => ({
      name: names[k],
      type: 'bar',
      itemStyle: { color: THEOREM_COLORS[k] },
      label: { show: true, position: 'top', fontSize: 11, formatter: (p: { value: number }) => percent(p.value) },
      data: [...report.layers.map((l) => l[k].passFraction), report.theorems[k].passFraction],
    })),
  };
}
