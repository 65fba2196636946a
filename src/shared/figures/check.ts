import type { CheckReport } from '../../core/experiments/check';
import { FONT_FAMILY, percent, sub, textStyle } from './text';
import { errorBar } from './custom';

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
