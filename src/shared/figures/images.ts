import type { ImageExamples } from '../../core/experiments/examples';
import type { ImageShape } from '../../core/model/generator';
import type { MethodId } from '../../core/pursuit/types';
import { pixelRunRect, type CustomApi } from './custom';
import { HIDDEN_PIXEL_COLOR, methodColor } from './palette';
import { FONT_FAMILY, textStyle } from './text';

type Option = Record<string, unknown>;

/** Pixels of one image cell on the page, the gap between cells, and the margins around the grid. */
export const IMAGE_GRID_LAYOUT = { CELL: 96, GAP: 12, LEFT: 84, TOP: 96 } as const;
const { CELL, GAP, LEFT, TOP } = IMAGE_GRID_LAYOUT;
/** Room under the grid: the hidden-pixel legend when something is hidden, a margin otherwise. */
const bottom = (examples: ImageExamples) => (hasHidden(examples) ? 64 : 20);
const hasHidden = (examples: ImageExamples) => examples.signals.some((s) => s.observed.some((v) => v === null));
const RIGHT = 16;

/** A signal's column header: what each image is. */
export interface ImageColumn {
  readonly key: 'truth' | 'observed' | MethodId;
  readonly label: string;
}

/** The side of a square image of n pixels, or undefined when n is not a square (> 1). */
export function squareSide(n: number): number | undefined {
  const side = Math.round(Math.sqrt(n));
  return side > 1 && side * side === n ? side : undefined;
}

/**
 * How a model's output of n values draws: as an image of the shape recorded
 * with the model (its summary's `imageShape`), else as a square image when n
 * is a square (> 1), else undefined (as lines). Core's outputImageShape, for
 * the hosts that may not import core.
 */
export function imageShapeOf(n: number, recorded?: ImageShape): ImageShape | undefined {
  if (recorded !== undefined) return recorded;
  const side = squareSide(n);
  return side === undefined ? undefined : [side, side];
}

/**
 * The examples' image shape [height, width]: the one they recorded (the
 * model's), else square when their length is (reports from before shapes
 * were recorded); undefined when they are not images.
 */
export function examplesShape(examples: ImageExamples | undefined): ImageShape | undefined {
  const first = examples?.signals[0];
  if (first === undefined) return undefined;
  const n = first.observed.length;
  const shape = examples!.shape;
  return imageShapeOf(n, shape !== undefined && shape[0] * shape[1] === n ? shape : undefined);
}

/**
 * Where an image of `shape` sits in a square cell of `cell` units: scaled by
 * `px` units per pixel so its longer side fills the cell, centred (offsets
 * `dx`, `dy`), so a non-square image keeps its aspect ratio.
 */
export function imageInCell(shape: ImageShape, cell: number): { px: number; dx: number; dy: number } {
  const [h, w] = shape;
  const px = cell / Math.max(h, w);
  return { px, dx: (cell - w * px) / 2, dy: (cell - h * px) / 2 };
}

/** The columns of the grid: truth when known, the observation, then each method's G(ẑ). */
export function imageColumns(examples: ImageExamples): ImageColumn[] {
  const first = examples.signals[0];
  const methods = Object.keys(first?.methods ?? {}) as MethodId[];
  return [
    ...(first?.truth !== undefined ? [{ key: 'truth' as const, label: examples.truthLabel }] : []),
    { key: 'observed', label: 'observed' },
    ...methods.map((m) => ({ key: m, label: `${m}: G(ẑ)` })),
  ];
}

/** Size in pixels of the figure `imageGridOption` lays out: a cell of 96 px per image. */
export function imageGridSize(examples: ImageExamples): { width: number; height: number } {
  const cols = imageColumns(examples).length;
  const rows = examples.signals.length;
  return {
    width: LEFT + cols * (CELL + GAP) - GAP + RIGHT,
    height: TOP + rows * (CELL + GAP) - GAP + bottom(examples),
  };
}

const hex2 = (v: number) =>
  Math.round(255 * Math.min(1, Math.max(0, v)))
    .toString(16)
    .padStart(2, '0');

/** `#rrggbb` of gray level 0–255 (black to white), as the image grids draw a pixel. */
export const grayColor = (level: number) => `#${hex2(level / 255).repeat(3)}`;

/**
 * The gray levels the grid draws: one scale shared by every cell (lo → 0,
 * hi → 255), −1 at hidden pixels; `cell(j, col)` is row-major height × width.
 * The app draws these straight onto a canvas (an SVG of every pixel run
 * costs the browser too long); imageGridOption draws the same levels.
 */
export function imageGridLevels(examples: ImageExamples): {
  shape: ImageShape;
  columns: ImageColumn[];
  lo: number;
  hi: number;
  cell: (j: number, col: number) => Int16Array;
} {
  const shape = examplesShape(examples);
  if (shape === undefined)
    throw new RangeError('an image grid needs images (a recorded image shape, or a square number of pixels)');
  const [height, width] = shape;
  const columns = imageColumns(examples);
  const values = (j: number, c: ImageColumn): readonly (number | null)[] => {
    const s = examples.signals[j];
    if (c.key === 'truth') return s.truth ?? [];
    if (c.key === 'observed') return s.observed;
    return s.methods[c.key] ?? [];
  };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < examples.signals.length; j++)
    for (const c of columns)
      for (const v of values(j, c))
        if (v !== null && Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
  if (!(hi > lo)) hi = lo + 1;
  const cell = (j: number, col: number) => {
    const v = values(j, columns[col]);
    const out = new Int16Array(height * width);
    for (let p = 0; p < out.length; p++) {
      const x = v[p];
      out[p] = x === null || x === undefined ? -1 : Number.isFinite(x) ? Math.round((255 * (x - lo)) / (hi - lo)) : 0;
    }
    return out;
  };
  return { shape, columns, lo, hi, cell };
}

/** The grid's title line under the title: the shared gray scale. */
export const grayScaleText = (lo: number, hi: number) => {
  const fmt = (v: number) => Number(v.toPrecision(3)).toString();
  return `gray scale shared by every image: black = ${fmt(lo)}, white = ${fmt(hi)}`;
};

/** The hidden-pixel legend's words. */
export const HIDDEN_PIXEL_LEGEND = 'hidden pixel (not observed; the methods never read it)';

/**
 * Image grid: one row per example signal, columns truth (when known), the
 * observation with hidden pixels in a flat colour, and each method's G(ẑ).
 * Every image shares one gray scale (black = smallest value shown, white =
 * largest) so brightness compares across cells. Pixels are drawn as
 * horizontal runs of equal gray (256 levels) by one custom series, which
 * keeps the SVG small (a digit's black background is a few rects a row).
 * Lay it out at `imageGridSize(examples)`.
 */
export function imageGridOption(examples: ImageExamples, title = 'Signals and their reconstructions'): Option {
  const { shape, columns, lo, hi, cell } = imageGridLevels(examples);
  const [h, w] = shape;
  const rows = examples.signals.length;
  // Data: [x, y, level (0–255, or −1 hidden), run length], in pixel units of a grid of square cells of
  // S = max(h, w) pixels sitting GAP/CELL·S apart; an image is centred in its cell.
  const S = Math.max(h, w);
  const step = S + (GAP / CELL) * S;
  const { dx, dy } = imageInCell(shape, S);
  const data: number[][] = [];
  for (let j = 0; j < rows; j++)
    columns.forEach((_, col) => {
      const levels = cell(j, col);
      for (let r = 0; r < h; r++) {
        let start = 0;
        let level = Number.NaN;
        const flush = (end: number) => {
          if (end > start && !Number.isNaN(level))
            data.push([col * step + dx + start, j * step + dy + r, level, end - start]);
        };
        for (let x = 0; x < w; x++) {
          const next = levels[r * w + x];
          if (next !== level) {
            flush(x);
            start = x;
            level = next;
          }
        }
        flush(w);
      }
    });
  const { width, height } = imageGridSize(examples);
  const extentX = columns.length * step - (GAP / CELL) * S;
  const extentY = rows * step - (GAP / CELL) * S;
  const BOTTOM = bottom(examples);
  const label = (text: string, x: number, y: number, extra: Record<string, unknown> = {}) => ({
    type: 'text',
    x,
    y,
    style: { text, fontFamily: FONT_FAMILY, fontSize: 13, fill: '#222', ...extra },
  });
  return {
    animation: false,
    textStyle,
    title: {
      text: title,
      subtext: grayScaleText(lo, hi),
      left: 'center',
      top: 8,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    grid: { left: LEFT, top: TOP, width: width - LEFT - RIGHT, height: height - TOP - BOTTOM },
    xAxis: { type: 'value', min: 0, max: extentX, show: false },
    yAxis: { type: 'value', min: 0, max: extentY, inverse: true, show: false },
    graphic: [
      ...columns.map((c, col) =>
        label(c.label, LEFT + col * (CELL + GAP) + CELL / 2, TOP - 10, {
          align: 'center',
          verticalAlign: 'bottom',
          fontWeight: 'bold',
          ...(c.key !== 'truth' && c.key !== 'observed' ? { fill: methodColor(c.key) } : {}),
        }),
      ),
      ...examples.signals.map((_, j) =>
        label(`signal ${j}`, LEFT - 8, TOP + j * (CELL + GAP) + CELL / 2, { align: 'right', verticalAlign: 'middle' }),
      ),
      ...(hasHidden(examples)
        ? [
            {
              type: 'rect',
              shape: { x: LEFT, y: height - BOTTOM + 22, width: 14, height: 14 },
              style: { fill: HIDDEN_PIXEL_COLOR },
            },
            label(HIDDEN_PIXEL_LEGEND, LEFT + 20, height - BOTTOM + 29, {
              verticalAlign: 'middle',
              fontSize: 12,
            }),
          ]
        : []),
    ],
    series: [
      {
        type: 'custom',
        name: 'pixels',
        silent: true,
        clip: false,
        data,
        renderItem: (_params: unknown, api: CustomApi) => {
          const x = api.value(0);
          const y = api.value(1);
          const level = api.value(2);
          const run = api.value(3);
          const a = api.coord([x, y]);
          const b = api.coord([x + run, y + 1]);
          const fill = level < 0 ? HIDDEN_PIXEL_COLOR : grayColor(level);
          return pixelRunRect(a, b, fill, 0.8);
        },
      },
    ],
  };
}
