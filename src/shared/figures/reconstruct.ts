import type { ImageShape } from '../../core/model/generator';
import type { MethodId } from '../../core/pursuit/types';
import { pixelRunRect, type CustomApi } from './custom';
import { grayColor, imageInCell } from './images';
import { HIDDEN_PIXEL_COLOR, methodColor } from './palette';
import { FONT_FAMILY, textStyle } from './text';

type Option = Record<string, unknown>;

/** One signal as the reconstruction views draw it (the worker redraws it; the report gives its SNRs). */
export interface ReconstructionRow {
  /** The signal's index in the run. */
  readonly index: number;
  /** G(z). */
  readonly truth: readonly number[];
  /** What the methods observed: null at hidden pixels. */
  readonly observed: readonly (number | null)[];
  /** Each method's G(ẑ). */
  readonly outputs: Partial<Record<MethodId, readonly number[]>>;
  /** Each method's SNR of G(ẑ) against G(z), dB, as the report recorded it. */
  readonly snrImage: Partial<Record<MethodId, number>>;
}

/** A page of signals of one run, drawn as one grid of images of `shape` = [height, width] pixels. */
export interface ReconstructionPage {
  readonly shape: ImageShape;
  readonly methods: readonly MethodId[];
  readonly rows: readonly ReconstructionRow[];
  /** Signals in the run, for the title. */
  readonly total: number;
}

/** |G(ẑ) − G(z)| pixel by pixel: what the error heat map draws. */
export function absError(truth: readonly number[], output: readonly number[]): number[] {
  return truth.map((t, i) => Math.abs(output[i] - t));
}

/** SNR in dB of the observation against the truth on the known pixels (the noise level), ∞ when noiseless. */
export function observedSnr(truth: readonly number[], observed: readonly (number | null)[]): number {
  let signal = 0;
  let noise = 0;
  truth.forEach((t, i) => {
    const v = observed[i];
    if (v === null || v === undefined) return;
    signal += t * t;
    noise += (v - t) * (v - t);
  });
  return noise === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
}

/** An SNR as a cell caption shows it: ≥ 400 is the cap (exact to float64). */
export const snrText = (snr: number) =>
  !Number.isFinite(snr) ? '∞ dB' : snr >= 400 ? '≥ 400 dB' : `${snr.toFixed(1)} dB`;

const CELL = 80;
const GAP = 10;
/** Room under each cell for its caption (the SNR). */
const CAPTION = 18;
const LEFT = 84;
const TOP = 92;
const BOTTOM = 60;
const RIGHT = 16;
/** The colour of the largest error on the page: white (no error) to this. */
export const ERROR_COLOR = '#B2182B';
/** The error scale's least top, as a fraction of the images' gray range. */
export const ERROR_FLOOR = 1e-3;

type Column =
  | { kind: 'truth'; label: string }
  | { kind: 'observed'; label: string }
  | { kind: 'output'; method: MethodId; label: string }
  | { kind: 'error'; method: MethodId; label: string };

function columnsOf(page: ReconstructionPage): Column[] {
  return [
    { kind: 'truth', label: 'G(z)' },
    { kind: 'observed', label: 'observed' },
    ...page.methods.map((m) => ({ kind: 'output' as const, method: m, label: `${m}: G(ẑ)` })),
    ...page.methods.map((m) => ({ kind: 'error' as const, method: m, label: `${m}: |error|` })),
  ];
}

/** Size in pixels to lay `reconstructionGridOption(page)` out at. */
export function reconstructionGridSize(page: ReconstructionPage): { width: number; height: number } {
  const cols = columnsOf(page).length;
  return {
    width: LEFT + cols * (CELL + GAP) - GAP + RIGHT,
    height: TOP + Math.max(1, page.rows.length) * (CELL + CAPTION + GAP) - GAP + BOTTOM,
  };
}

const mix = (a: number, b: number, t: number) => Math.round(a + (b - a) * t);
/** Level 0–255 of the error ramp as `#rrggbb`: white at 0, ERROR_COLOR at 255. */
function errorColor(level: number): string {
  const t = level / 255;
  const c = Number.parseInt(ERROR_COLOR.slice(1), 16);
  const ch = (shift: number) =>
    mix(255, (c >> shift) & 255, t)
      .toString(16)
      .padStart(2, '0');
  return `#${ch(16)}${ch(8)}${ch(0)}`;
}

/**
 * The reconstruction grid of a page of signals: a row per signal, columns
 * G(z), the observation (hidden pixels in HIDDEN_PIXEL_COLOR), each method's
 * G(ẑ) and each method's |G(ẑ) − G(z)| as a heat map; under every cell its
 * SNR against G(z) (the observation's on its known pixels). The images share
 * one gray scale, the heat maps one white-to-red scale from 0 to the page's
 * largest error, so cells compare across the page. Pixels go as runs of
 * equal colour through one custom series (as images.ts draws them). Lay it
 * out at `reconstructionGridSize(page)`. With `onSelect`, each row's label
 * is a link that calls it with the signal's index.
 */
export function reconstructionGridOption(
  page: ReconstructionPage,
  title?: string,
  onSelect?: (index: number) => void,
): Option {
  const { shape, rows } = page;
  const [h, w] = shape;
  const columns = columnsOf(page);
  const errors = rows.map((r) =>
    Object.fromEntries(page.methods.map((m) => [m, absError(r.truth, r.outputs[m] ?? r.truth.map(() => Number.NaN))])),
  );
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let maxErr = 0;
  const see = (v: number | null | undefined) => {
    if (v !== null && v !== undefined && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  };
  rows.forEach((r, j) => {
    r.truth.forEach(see);
    r.observed.forEach(see);
    for (const m of page.methods) {
      r.outputs[m]?.forEach(see);
      for (const e of errors[j][m]) if (Number.isFinite(e)) maxErr = Math.max(maxErr, e);
    }
  });
  if (!(hi > lo)) hi = lo + 1;
  // Errors at rounding level (an exact recovery) would fill a self-scaled map with red noise: the
  // scale goes at least to 0.1% of the gray range, so such cells read white.
  const errScale = Math.max(maxErr, ERROR_FLOOR * (hi - lo));
  // A non-square image keeps its aspect ratio, centred in its square cell.
  const { px, dx, dy } = imageInCell(shape, CELL);
  const rowStep = CELL + CAPTION + GAP;
  // Data: [x, y, width, height, colour code] in chart pixels; code 0–255 gray, 256–511 error ramp, −1 hidden.
  const data: number[][] = [];
  const graphic: Record<string, unknown>[] = [];
  const label = (text: string, x: number, y: number, extra: Record<string, unknown> = {}) => ({
    type: 'text',
    x,
    y,
    style: { text, fontFamily: FONT_FAMILY, fontSize: 12, fill: '#222', ...extra },
  });
  columns.forEach((c, col) =>
    graphic.push(
      label(c.label, LEFT + col * (CELL + GAP) + CELL / 2, TOP - 8, {
        align: 'center',
        verticalAlign: 'bottom',
        fontWeight: 'bold',
        ...(c.kind === 'output' || c.kind === 'error' ? { fill: methodColor(c.method) } : {}),
      }),
    ),
  );
  rows.forEach((r, j) => {
    const y0 = TOP + j * rowStep;
    const rowLabel = label(`signal ${r.index}`, LEFT - 8, y0 + CELL / 2, {
      align: 'right',
      verticalAlign: 'middle',
      fontSize: 13,
      ...(onSelect !== undefined ? { fill: '#1f5fa8', textDecoration: 'underline' } : {}),
    });
    // In the app a row's label opens that signal's details (a report has no one to click).
    graphic.push(
      onSelect !== undefined ? { ...rowLabel, cursor: 'pointer', onclick: () => onSelect(r.index) } : rowLabel,
    );
    columns.forEach((c, col) => {
      const x0 = LEFT + col * (CELL + GAP);
      let code: (i: number) => number;
      let caption: string;
      if (c.kind === 'truth') {
        code = (i) => gray(r.truth[i]);
        caption = 'truth';
      } else if (c.kind === 'observed') {
        code = (i) => (r.observed[i] === null ? -1 : gray(r.observed[i]));
        const snr = observedSnr(r.truth, r.observed);
        caption = Number.isFinite(snr) ? snrText(snr) : 'noiseless';
      } else if (c.kind === 'output') {
        const out = r.outputs[c.method] ?? [];
        code = (i) => gray(out[i]);
        caption = snrText(r.snrImage[c.method] ?? Number.NaN);
      } else {
        const e = errors[j][c.method];
        code = (i) => 256 + (Number.isFinite(e[i]) ? Math.round((255 * e[i]) / errScale) : 255);
        caption = `max ${fmt(Math.max(0, ...e.filter(Number.isFinite)))}`;
      }
      for (let y = 0; y < h; y++) {
        let start = 0;
        let level = code(y * w);
        for (let x = 1; x <= w; x++) {
          const next = x < w ? code(y * w + x) : Number.NaN;
          if (next !== level) {
            data.push([x0 + dx + start * px, y0 + dy + y * px, (x - start) * px, px, level]);
            start = x;
            level = next;
          }
        }
      }
      // A hairline frame, so a white cell (an error map of an exact recovery) still reads as a cell.
      graphic.push({
        type: 'rect',
        z: 10,
        shape: { x: x0 + dx - 0.5, y: y0 + dy - 0.5, width: w * px + 1, height: h * px + 1 },
        style: { fill: 'none', stroke: '#c8c8c8', lineWidth: 1 },
      });
      graphic.push(
        label(caption, x0 + CELL / 2, y0 + CELL + 3, {
          align: 'center',
          verticalAlign: 'top',
          fontSize: 11,
          fill: '#333',
        }),
      );
    });
  });
  function gray(v: number | null | undefined): number {
    if (v === null || v === undefined || !Number.isFinite(v)) return 0;
    return Math.round((255 * (v - lo)) / (hi - lo));
  }
  const { width, height } = reconstructionGridSize(page);
  const hidden = rows.some((r) => r.observed.some((v) => v === null));
  const legendY = height - BOTTOM + 24;
  graphic.push(
    ...Array.from({ length: 8 }, (_, i) => ({
      type: 'rect',
      shape: { x: LEFT + i * 10, y: legendY, width: 10, height: 14 },
      style: { fill: errorColor((255 * i) / 7) },
    })),
    { type: 'rect', shape: { x: LEFT, y: legendY, width: 80, height: 14 }, style: { fill: 'none', stroke: '#999' } },
    label(`|error|: 0 – ${fmt(errScale)}`, LEFT + 86, legendY + 7, { verticalAlign: 'middle' }),
    ...(hidden
      ? [
          {
            type: 'rect',
            shape: { x: LEFT + 220, y: legendY, width: 14, height: 14 },
            style: { fill: HIDDEN_PIXEL_COLOR },
          },
          label('hidden pixel (not observed)', LEFT + 240, legendY + 7, { verticalAlign: 'middle' }),
        ]
      : []),
  );
  const indices = rows.map((r) => r.index);
  const contiguous = indices.every((v, i) => i === 0 || v === indices[i - 1] + 1);
  const which =
    indices.length === 1
      ? `Signal ${indices[0]}`
      : contiguous
        ? `Signals ${indices[0]}–${indices.at(-1)}`
        : `Signals ${indices.join(', ')}`;
  return {
    animation: false,
    textStyle,
    title: {
      text: title ?? `${which} of ${page.total}: reconstructions`,
      subtext:
        `images: one gray scale, black = ${fmt(lo)}, white = ${fmt(hi)} · |error|: white = 0, red = ${fmt(errScale)}\n` +
        'under each cell: SNR against G(z) (observed: on its known pixels)',
      left: 'center',
      top: 6,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555', lineHeight: 16 },
    },
    grid: { left: 0, top: 0, width, height },
    xAxis: { type: 'value', min: 0, max: width, show: false },
    yAxis: { type: 'value', min: 0, max: height, inverse: true, show: false },
    graphic,
    series: [
      {
        type: 'custom',
        name: 'pixels',
        silent: true,
        clip: false,
        data,
        renderItem: (_params: unknown, api: CustomApi) => {
          const a = api.coord([api.value(0), api.value(1)]);
          const b = api.coord([api.value(0) + api.value(2), api.value(1) + api.value(3)]);
          const c = api.value(4);
          const fill = c < 0 ? HIDDEN_PIXEL_COLOR : c >= 256 ? errorColor(c - 256) : grayColor(c);
          return pixelRunRect(a, b, fill, 0.6);
        },
      },
    ],
  };
}

const fmt = (v: number) => Number(v.toPrecision(3)).toString();

/**
 * A signal that is not an image, as lines against the output index: G(z) in
 * black, the observed values as gray dots (hidden ones absent), each method's
 * G(ẑ) in its colour with its SNR in the legend.
 */
export function reconstructionLinesOption(row: ReconstructionRow, methods: readonly MethodId[]): Option {
  const name = (m: MethodId) => `${m}: G(ẑ), ${snrText(row.snrImage[m] ?? Number.NaN)}`;
  const observedName = `observed, ${snrText(observedSnr(row.truth, row.observed))}`;
  return {
    animation: false,
    textStyle,
    title: {
      text: `Signal ${row.index}: G(z) and its reconstructions`,
      subtext: 'legend: SNR against G(z) (observed: on its known pixels)',
      left: 'center',
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 15 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    legend: { top: 52, data: ['G(z)', observedName, ...methods.map(name)], textStyle, itemGap: 16 },
    grid: { left: 72, right: 24, top: 96, bottom: 56 },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'value',
      name: 'output index i',
      nameLocation: 'middle',
      nameGap: 30,
      min: 0,
      max: Math.max(0, row.truth.length - 1),
    },
    yAxis: {
      type: 'value',
      name: 'value',
      nameLocation: 'middle',
      nameGap: 48,
      scale: true,
      splitLine: { lineStyle: { color: '#e4e4e4' } },
    },
    series: [
      {
        name: 'G(z)',
        type: 'line',
        color: '#222',
        symbol: 'none',
        lineStyle: { width: 2.4 },
        data: row.truth.map((v, i) => [i, v]),
      },
      {
        name: observedName,
        type: 'scatter',
        color: '#888',
        symbolSize: 4,
        data: row.observed.flatMap((v, i) => (v === null ? [] : [[i, v]])),
      },
      ...methods.map((m) => ({
        name: name(m),
        type: 'line',
        color: methodColor(m),
        symbol: 'none',
        lineStyle: { width: 1.4, type: 'dashed' },
        data: (row.outputs[m] ?? []).map((v, i) => [i, v]),
      })),
    ],
  };
}
