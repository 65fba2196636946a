import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { init, use, type ECharts } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue';

// Register only what the figures of src/shared/figures draw: keeps the bundle small.
use([
  BarChart,
  CustomChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

/**
 * Owns one ECharts instance on `el`: creates it on mount, redraws when the
 * option changes, follows the element's size, disposes it on unmount.
 * SVG rendering, so the same chart exports as SVG.
 */
export function useEChart(el: Ref<HTMLElement | undefined>, option: () => Record<string, unknown> | undefined) {
  const chart = shallowRef<ECharts>();
  let observer: ResizeObserver | undefined;

  onMounted(() => {
    if (el.value === undefined) return;
    chart.value = init(el.value, undefined, { renderer: 'svg' });
    observer = new ResizeObserver(() => chart.value?.resize());
    observer.observe(el.value);
    const first = option();
    if (first !== undefined) chart.value.setOption(first, { notMerge: true });
  });

  watch(option, (next) => {
    if (next !== undefined) chart.value?.setOption(next, { notMerge: true });
  });

  onBeforeUnmount(() => {
    observer?.disconnect();
    chart.value?.dispose();
    chart.value = undefined;
  });

  return chart;
}
