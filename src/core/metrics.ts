/**
 * Quantile of `values` at probability `p` ∈ [0, 1] by linear interpolation
 * between order statistics (Hyndman–Fan type 7, the default of NumPy and R).
 * Returns NaN for an empty input. Does not modify `values`.
 */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantiles(values, [p])[0];
}

/** Several quantiles with one sort; see {@link quantile}. */
export function quantiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  for (const p of ps) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${p}`);
  }
  const n = values.length;
  if (n === 0) return ps.map(() => Number.NaN);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  });
}

/** Median: the 0.5 quantile. */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** ‖x‖² and ‖x̂ − x‖², the two energies both error measures compare. */
function energies(estimate: ArrayLike<number>, truth: ArrayLike<number>): { signal: number; error: number } {
  let signal = 0;
  let error = 0;
  for (let i = 0; i < truth.length; i++) {
    signal += truth[i] * truth[i];
    const d = estimate[i] - truth[i];
    error += d * d;
  }
  return { signal, error };
}

/**
 * Signal-to-noise ratio of an estimate in dB: 10 log₁₀(‖x‖² / ‖x̂ − x‖²).
 * +Infinity for an exact estimate; reported as is (callers cap for display).
 */
export function snrDb(estimate: ArrayLike<number>, truth: ArrayLike<number>): number {
  const { signal, error } = energies(estimate, truth);
  return error === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(signal / error);
}

/** ‖x̂ − x‖₂ / ‖x‖₂ (the absolute error ‖x̂‖₂ when x = 0). NaN if any entry of x̂ is NaN. */
export function relativeError(estimate: ArrayLike<number>, truth: ArrayLike<number>): number {
  const { signal, error } = energies(estimate, truth);
  return signal === 0 ? Math.sqrt(error) : Math.sqrt(error / signal);
}
