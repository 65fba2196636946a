import { existsSync, readFileSync } from 'node:fs';
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
  measureWithFigureFont();
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

/** Advance widths of a TrueType font, in em, by code point (BMP, from its Windows Unicode cmap). */
export interface FontMetrics {
  readonly advance: (codePoint: number) => number | undefined;
}

/**
 * Reads the advance widths from a TrueType file's head, hhea, hmtx and cmap
 * (format 4) tables: all ECharts needs to lay text out as resvg will draw it.
 * @throws Error for a file without those tables.
 */
export function readFontMetrics(bytes: Uint8Array): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, number>();
  for (let i = 0, n = view.getUint16(4); i < n; i++) {
    const at = 12 + 16 * i;
    tables.set(String.fromCharCode(...bytes.subarray(at, at + 4)), view.getUint32(at + 8));
  }
  const [head, hhea, hmtx, cmap] = ['head', 'hhea', 'hmtx', 'cmap'].map((t) => {
    const at = tables.get(t);
    if (at === undefined) throw new Error(`not a TrueType font with a ${t} table`);
    return at;
  });
  const unitsPerEm = view.getUint16(head + 18);
  const metrics = view.getUint16(hhea + 34);
  const glyphAdvance = (g: number) => view.getUint16(hmtx + 4 * Math.min(g, metrics - 1)) / unitsPerEm;
  let sub: number | undefined;
  for (let i = 0, n = view.getUint16(cmap + 2); i < n; i++) {
    const at = cmap + 4 + 8 * i;
    const [platform, encoding] = [view.getUint16(at), view.getUint16(at + 2)];
    const table = cmap + view.getUint32(at + 4);
    if (((platform === 3 && encoding === 1) || platform === 0) && view.getUint16(table) === 4) sub = table;
  }
  if (sub === undefined) throw new Error('not a TrueType font with a Unicode cmap');
  const segments = view.getUint16(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  const glyph = (c: number): number => {
    for (let i = 0; i < segments; i++) {
      if (c > view.getUint16(ends + 2 * i)) continue;
      const start = view.getUint16(starts + 2 * i);
      if (c < start) return 0;
      const delta = view.getUint16(deltas + 2 * i);
      const offset = view.getUint16(rangeOffsets + 2 * i);
      if (offset === 0) return (c + delta) & 0xffff;
      const g = view.getUint16(rangeOffsets + 2 * i + offset + 2 * (c - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  return { advance: (c) => (c > 0xffff || glyph(c) === 0 ? undefined : glyphAdvance(glyph(c))) };
}

let measuring = false;

/**
 * ECharts lays text out (legend entries, centred titles, label collisions)
 * with widths it measures; in Node, without a canvas, it guesses them from
 * Helvetica's, and DejaVu Sans, which resvg draws, is wider: legend entries
 * ran into each other. So it measures with DejaVu Sans's own advance widths,
 * where the font is found. Other text in the process is not laid out by ECharts.
 */
function measureWithFigureFont() {
  if (measuring) return;
  measuring = true;
  const find = (bold: boolean) =>
    FONT_FILES.find((f) => existsSync(f) && f.includes('-Bold') === bold && /DejaVuSans(-Bold)?\.ttf$/.test(f));
  const [regular, bold] = [find(false), find(true)].map((f) =>
    f === undefined ? undefined : readFontMetrics(readFileSync(f)),
  );
  if (regular === undefined) return;
  echarts.setPlatformAPI({
    measureText: (text: string, font?: string) => textWidth(text, font, regular, bold ?? regular),
  });
}

/** Width in px of `text` in a CSS `font` (ECharts' form: `bold 15px DejaVu Sans, …`); unknown glyphs count 0.6 em. */
export function textWidth(text: string, font: string | undefined, regular: FontMetrics, bold = regular) {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
  const metrics = /\b(bold|bolder|[6-9]00)\b/.test(font ?? '') ? bold : regular;
  let width = 0;
  for (const ch of text ?? '') width += metrics.advance(ch.codePointAt(0)!) ?? 0.6;
  return { width: width * size };
}
