import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

export const FIGURE_WIDTH = 960;
export const FIGURE_HEIGHT = 540;

/**
 * An ECharts option (from src/shared/figures) as a standalone SVG, with
 * ECharts' server-side renderer: no browser, no DOM. Animation is forced off
 * (an animated SSR SVG carries CSS keyframes and starts blank), and the
 * background is white so the PNG is not transparent on a dark viewer.
 */
export function renderSvg(option: Record<string, unknown>, width = FIGURE_WIDTH, height = FIGURE_HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ backgroundColor: '#ffffff', ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** DejaVu Sans carries the figures' subscripts (n₀, s₁), ẑ and ≥; loaded by file where the system has it. */
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
];

/** Whether a font with the figures' glyphs was found: without one, resvg drops the text. */
export const figureFontFound = () => FONT_FILES.some((f) => existsSync(f));

/**
 * The SVG rasterised by resvg (a maintained SVG renderer), at `scale` × its
 * size so the PNG stays sharp in print. resvg draws text only with fonts it
 * is given: the system's fonts, DejaVu Sans first.
 */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: {
      loadSystemFonts: true,
      fontFiles: FONT_FILES.filter((f) => existsSync(f)),
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
