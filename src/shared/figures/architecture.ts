import { sub, textStyle } from './text';

type Option = Record<string, unknown>;

/**
 * The axis labels of a generator's widths [n₀, n₁, …, n]: n₀ for the latent
 * z, nᵢ for hidden layer i, and n for the output G(z), as the paper sets them.
 */
export function layerWidthLabels(dims: readonly number[]): string[] {
  return dims.map((_, i) => (i === dims.length - 1 && i > 0 ? 'n' : `n${sub(i)}`));
}

/**
 * Bar chart of a generator's layer widths n₀ … n (the architecture card):
 * one bar per layer, its width printed on top, the latent and output layers
 * told apart by colour.
 */
export function layerWidthOption(dims: readonly number[], animation = true): Option {
  const labels = layerWidthLabels(dims);
  const last = dims.length - 1;
  const role = (i: number) => (i === 0 ? 'z' : i === last ? 'G(z)' : `x${sub(i)}`);
  return {
    animation,
    textStyle,
    grid: { left: 56, right: 16, top: 28, bottom: 40 },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'category',
      data: labels.map((l, i) => `${l} (${role(i)})`),
      axisTick: { alignWithLabel: true },
    },
    yAxis: { type: 'value', name: 'units', nameGap: 10, min: 0 },
    series: [
      {
        name: 'layer width',
        type: 'bar',
        barMaxWidth: 56,
        data: dims.map((d, i) => ({
          value: d,
          itemStyle: { color: i === 0 ? '#8e6cc0' : i === last ? '#2e7d32' : '#3d6fb6' },
        })),
        label: { show: true, position: 'top', color: '#222' },
        tooltip: { formatter: (p: { dataIndex: number }) => `${labels[p.dataIndex]} = ${dims[p.dataIndex]} units` },
      },
    ],
  };
}
