import type { SparsityResult, Theorem2Condition } from '../../core/experiments/sparsity';
import { errorBar } from './custom';
import { sub } from './text';

/** A threshold marker drawn on a layer: a bound sᵢ must respect, and how often it held. */
export interface ThresholdMark {
  /** 0-based category (hidden layer i − 1). */
  readonly category: number;
  readonly value: number;
  readonly label: string;
  readonly condition: Theorem2Condition;
  /** Every sample met it. */
  readonly holds: boolean;
}

const OK_COLOR = '#2e7d32';
const FAIL_COLOR = '#c62828';
const percent = (f: number) => `${(100 * f).toFixed(f === 1 || f === 0 ? 0 : 1)}%`;

/**
 * Theorem 2's bounds placed on the layers they constrain: s₁ ≥ n₀ (a lower
 * bound on layer 1), sᵢ < sᵢ₊₁ (upper bound: the median of the next
 * layer), s_L < n (upper bound on the last hidden layer).
 */
export function thresholdMarks(result: SparsityResult): ThresholdMark[] {
  const { dims, layers } = result;
  return result.theorem2.conditions.map((condition) => {
    const i = condition.layer;
    const value =
      condition.clause === 'iii' ? dims[0] : condition.clause === 'i' ? dims[dims.length - 1] : layers[i].median;
    const bound =
      condition.clause === 'iii'
        ? `≥ n₀ = ${value}`
        : condition.clause === 'i'
          ? `< n = ${value}`
          : `< s${sub(i + 1)} ≈ ${value}`;
    return {
      category: i - 1,
      value,
      label: `${bound}: ${percent(condition.passFraction)}`,
      condition,
      holds: condition.passed === result.samples && result.samples > 0,
    };
  });
}

/**
 * The ECharts option for the per-layer sparsity chart: per hidden layer its
 * width nᵢ, the median sᵢ with a 10–90% range, and Theorem 2's thresholds
 * coloured by whether they held for every sample.
 */
export function sparsityChartOption(result: SparsityResult, animation = true): Record<string, unknown> {
  // The median goes in the axis label: inside a short bar it would collide with the s₁ ≥ n₀ marker.
  const categories = result.layers.map(
    (l) => `x${sub(l.layer)}: n${sub(l.layer)} = ${l.width}, median s${sub(l.layer)} = ${l.median}`,
  );
  const marks = thresholdMarks(result);
  return {
    animation,
    grid: { left: 64, right: 24, top: 48, bottom: 48 },
    legend: { top: 8, data: ['layer width n', 'median s', '10–90% of s', 'Theorem 2 bound'] },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'category', data: categories, axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', name: 'active units', nameGap: 14, min: 0 },
    series: [
      {
        name: 'layer width n',
        type: 'bar',
        barWidth: '46%',
        barMaxWidth: 140,
        itemStyle: { color: '#d7dde8' },
        data: result.layers.map((l) => l.width),
        tooltip: { valueFormatter: (v: number) => `${v} units` },
      },
      {
        name: 'median s',
        type: 'bar',
        barWidth: '30%',
        barMaxWidth: 90,
        barGap: '-82%',
        itemStyle: { color: '#3d6fb6' },
        data: result.layers.map((l) => l.median),
      },
      {
        name: '10–90% of s',
        type: 'custom',
        itemStyle: { color: '#1b2a41' },
        encode: { x: 0, y: [1, 2] },
        data: result.layers.map((l, i) => [i, l.p10, l.p90]),
        renderItem: errorBar,
        z: 3,
      },
      {
        name: 'Theorem 2 bound',
        type: 'scatter',
        symbol: 'rect',
        symbolSize: [64, 3],
        z: 4,
        itemStyle: { color: OK_COLOR },
        data: marks.map((m) => ({
          value: [m.category, m.value],
          itemStyle: { color: m.holds ? OK_COLOR : FAIL_COLOR },
          label: {
            show: true,
            // The lower bound (s₁ ≥ n₀) sits near the bar's foot: its label
            // goes left, clear of the 10–90% bar of the same layer.
            position: m.condition.clause === 'iii' ? 'left' : 'right',
            distance: 4,
            color: m.holds ? OK_COLOR : FAIL_COLOR,
            backgroundColor: 'rgba(255, 255, 255, 0.9)',
            padding: [2, 4],
            borderRadius: 3,
            formatter: `${m.holds ? '✓' : '✗'} ${m.label}`,
          },
          tooltip: {
            formatter: `Theorem 2 (${m.condition.clause}) ${m.condition.statement}: held for ${m.condition.passed} of ${result.samples} samples`,
          },
        })),
      },
    ],
  };
}
