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
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
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
  CanvasRenderer,
  SVGRenderer,
]);

let turn: Promise<void> = Promise.resolve();
/** Runs `draw` in a task of its own, after the draws queued before it. */
function inTurn(draw: () => void): void {
  turn = turn.then(
    () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          try {
            draw();
          } finally {
            resolve();
          }
        }, 0),
      ),
  );
}

/** Data points of every series of an option. */
export function dataPoints(option: Record<string, unknown>): number {
  const series = Array.isArray(option.series) ? option.series : [option.series];
  return series.reduce((n: number, s) => n + ((s as { data?: unknown[] } | undefined)?.data?.length ?? 0), 0);
}

/**
 * Above this many data points a chart draws on a canvas: an SVG of tens of
 * thousands of elements (an image grid: a rectangle per pixel) costs the
 * browser hundreds of milliseconds of layout and paint on the main thread.
 */
export const CANVAS_ABOVE_POINTS = 2000;

/**
 * Owns one ECharts instance on `el`: creates it on mount, redraws when the
 * option changes, follows the element's size, disposes it on unmount.
 * SVG rendering, so the chart exports as drawn, unless it has more than
 * CANVAS_ABOVE_POINTS data points (then canvas; its SVG export draws it once
 * more in SVG, off screen: svgOf).
 */
export function useEChart(
  el: Ref<HTMLElement | undefined>,
  option: () => Record<string, unknown> | undefined,
  /** Force a renderer (e.g. SVG for a chart whose text must stay in the page); automatic by default. */
  forced?: 'svg' | 'canvas',
) {
  const chart = shallowRef<ECharts>();
  let observer: ResizeObserver | undefined;

  let disposed = false;
  onMounted(() =>
    // Each chart draws in its own task: a page of charts arriving at once (a run's results)
    // is several short tasks, not one long one that freezes the window.
    inTurn(() => {
      if (el.value === undefined || disposed) return;
      const first = option();
      const renderer = forced ?? (first !== undefined && dataPoints(first) > CANVAS_ABOVE_POINTS ? 'canvas' : 'svg');
      chart.value = init(el.value, undefined, { renderer });
      observer = new ResizeObserver(() => chart.value?.resize());
      observer.observe(el.value);
      if (first !== undefined) chart.value.setOption(first, { notMerge: true });
    }),
  );

  watch(option, (next) => {
    if (next !== undefined) chart.value?.setOption(next, { notMerge: true });
  });

  onBeforeUnmount(() => {
    disposed = true;
    observer?.disconnect();
    chart.value?.dispose();
    chart.value = undefined;
  });

  return chart;
}

/** The chart's SVG: its own when drawn in SVG, else the option drawn once more in SVG off screen at its size. */
export function svgOf(chart: ECharts, option: Record<string, unknown>): string {
  if (chart.getZr().painter.getType() === 'svg') return chart.renderToSVGString();
  return renderOptionSvg(option, chart.getWidth(), chart.getHeight());
}

/** An option drawn in SVG off screen (ECharts' server-side mode, no DOM element). */
export function renderOptionSvg(option: Record<string, unknown>, width: number, height: number): string {
  const svgChart = init(null as unknown as HTMLElement, undefined, { renderer: 'svg', ssr: true, width, height });
  try {
    svgChart.setOption({ ...option, animation: false });
    return svgChart.renderToSVGString();
  } finally {
    svgChart.dispose();
  }
}
