/** Math typography shared by the figures: n₀, s₁, x₂ as a paper sets them, not n0 or s_1. */
const SUB = '₀₁₂₃₄₅₆₇₈₉';

/** `sub(12)` → `₁₂`. */
export const sub = (i: number) => String(i).replace(/\d/g, (d) => SUB[Number(d)]);

/** The figures' font: DejaVu Sans is on most Linux machines and carries ₀–₉, ẑ and ≥, so the PNG matches the SVG. */
export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export const percent = (f: number) => `${(100 * f).toFixed(f === 1 || f === 0 ? 0 : 1)}%`;

/**
 * Quantile q of `values` with linear interpolation between order statistics
 * (the convention of NumPy's default and of core/metrics.ts). NaN for none.
 */
export function quantile(values: readonly number[], q: number): number {
  return quantiles(values, [q])[0];
}

/** Several quantiles of `values` (as `quantile`), sorting once: a page of charts computes thousands. */
export function quantiles(values: readonly number[], qs: readonly number[]): number[] {
  const v = Float64Array.from(values.filter((x) => !Number.isNaN(x))).sort();
  return qs.map((q) => {
    if (v.length === 0) return Number.NaN;
    const pos = (v.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  });
}

/** Common text style: one font everywhere, sized for a printed column. */
export const textStyle = { fontFamily: FONT_FAMILY, fontSize: 13, color: '#222' };
