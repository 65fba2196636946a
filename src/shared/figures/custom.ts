import { withAlpha } from './palette';
/** The part of ECharts' custom-series API our custom series use (error bars, ribbons). */
export interface CustomApi {
  value(dimension: number): number;
  coord(point: [number, number]): [number, number];
}

/** A custom series' renderItem: a vertical bar from value(1) to value(2) at x = value(0), with short caps. */
export function errorBar(_params: unknown, api: CustomApi) {
  const x = api.value(0);
  const low = api.coord([x, api.value(1)]);
  const high = api.coord([x, api.value(2)]);
  const half = 10;
  const style = { stroke: '#1b2a41', lineWidth: 2 };
  return {
    type: 'group',
    children: [
      { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
      { type: 'line', shape: { x1: low[0] - half, y1: low[1], x2: low[0] + half, y2: low[1] }, style },
      { type: 'line', shape: { x1: high[0] - half, y1: high[1], x2: high[0] + half, y2: high[1] }, style },
    ],
  };
}

/**
 * A custom series' renderItem for one ribbon segment between two consecutive
 * x: data [x₀, lo₀, hi₀, x₁, lo₁, hi₁], drawn as the quadrilateral from the
 * lower to the upper value. Drawn per segment (not as a stacked area) so
 * negative values, gaps and log axes need no stacking tricks.
 */
export function ribbon(fill: string) {
  return (_params: unknown, api: CustomApi) => {
    const a0 = api.coord([api.value(0), api.value(1)]);
    const a1 = api.coord([api.value(0), api.value(2)]);
    const b0 = api.coord([api.value(3), api.value(4)]);
    const b1 = api.coord([api.value(3), api.value(5)]);
    return { type: 'polygon', shape: { points: [a0, b0, b1, a1] }, style: { fill }, silent: true };
  };
}

/** A method's median line (the curve its ribbons surround): [x, median] points, its colour, dots. */
export function medianLine(name: string, color: string, data: [number, number][]): Record<string, unknown> {
  return { name, type: 'line', color, symbol: 'circle', symbolSize: 5, lineStyle: { width: 2 }, z: 5, data };
}

/**
 * A method's ribbon around its median line: one custom series of segments
 * between consecutive points [x, lo, hi] (sorted by x), sharing the method's
 * series name so a legend click toggles line and ribbons together.
 */
export function spreadRibbon(
  name: string,
  color: string,
  alpha: number,
  rows: readonly { x: number; lo: number; hi: number }[],
): Record<string, unknown> {
  return {
    name,
    type: 'custom',
    color,
    z: 2,
    encode: { x: [0, 3], y: [1, 2, 4, 5] },
    renderItem: ribbon(withAlpha(color, alpha)),
    tooltip: { show: false },
    data: rows.slice(1).map((r, i) => [rows[i].x, rows[i].lo, rows[i].hi, r.x, r.lo, r.hi]),
  };
}

/**
 * A run of equal pixels from coord a to coord b as a filled rectangle, `pad`
 * pixels larger each way so anti-aliasing leaves no seams between runs (the
 * image grids draw an image as such runs).
 */
export function pixelRunRect(a: [number, number], b: [number, number], fill: string, pad: number) {
  return {
    type: 'rect',
    shape: {
      x: Math.min(a[0], b[0]),
      y: Math.min(a[1], b[1]),
      width: Math.abs(b[0] - a[0]) + pad,
      height: Math.abs(b[1] - a[1]) + pad,
    },
    style: { fill },
  };
}
