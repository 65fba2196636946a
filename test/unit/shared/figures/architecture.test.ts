import { describe, expect, it } from 'vitest';
import { layerWidthLabels, layerWidthOption } from '../../../../src/shared/figures';

describe('layer-width chart', () => {
  it('labels the widths n₀, n₁, …, n as the paper sets them', () => {
    expect(layerWidthLabels([20, 128, 256, 784])).toEqual(['n₀', 'n₁', 'n₂', 'n']);
    expect(layerWidthLabels([100, 300, 625])).toEqual(['n₀', 'n₁', 'n']);
    expect(layerWidthLabels([12, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 5])[11]).toBe('n₁₁');
  });

  it('draws one bar per layer with its width, and no s_1 / n_0 ASCII math', () => {
    const option = layerWidthOption([20, 128, 784]);
    const series = option.series as { type: string; data: { value: number }[] }[];
    expect(series).toHaveLength(1);
    expect(series[0].type).toBe('bar');
    expect(series[0].data.map((d) => d.value)).toEqual([20, 128, 784]);
    const categories = (option.xAxis as { data: string[] }).data;
    expect(categories).toEqual(['n₀ (z)', 'n₁ (x₁)', 'n (G(z))']);
    expect(JSON.stringify(option)).not.toMatch(/[ns]_\d/);
  });
});
