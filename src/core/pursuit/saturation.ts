import type { Matrix } from '../linalg/matrix';
import type { ActivationFunctions, OutputActivation } from '../model/activations';

/**
 * Saturated pixels. A bounded φ (tanh, sigmoid) flattens at the edges of its
 * range: tanh(p) is exactly 1 in float64 once p passes about 19, and long
 * before that φ⁻¹ amplifies the rounding of y beyond use. Such a pixel says
 * only that its pre-activation lies beyond a threshold — an inequality, not
 * an equation. Inverting it as an equation (clamping y just inside the range)
 * invents a value: atanh(1 − 1e-12) ≈ 14 where the truth may be 25.
 *
 * So a known pixel within τ of an edge of the range is read as an interval
 * observation: y ∈ [hi − τ, hi] (upper), or y ∈ [lo, lo + τ] (lower). In the
 * pre-activation domain that is p ≥ θ⁺ = φ⁻¹(hi − τ), or p ≤ θ⁻ = φ⁻¹(lo + τ).
 * Every method measures such a pixel by its distance to the interval (zero
 * inside it), in the φ domain (LP, GD, the debiasing's Gauss–Newton, every
 * reported misfit) or in the pre-activation domain (the layer-wise Oracle,
 * LBP, the exact least-squares steps). Without noise the truth lies inside
 * every interval, so nothing is lost but equations that were not there.
 */

/** The open range (lo, hi) of a bounded φ; undefined for an unbounded one. */
export function outputRange(act: OutputActivation): { readonly lo: number; readonly hi: number } | undefined {
  if (act.kind === 'tanh') return { lo: -1, hi: 1 };
  if (act.kind === 'sigmoid') return { lo: 0, hi: 1 };
  // identity, leaky_relu and plu are unbounded; a custom expression is treated as unbounded (its range is not derived).
  return undefined;
}

/** √ε of float64. */
const SQRT_EPS = Math.sqrt(Number.EPSILON);

/**
 * The default τ: √ε·(hi − lo) (2.98e-8 for tanh, 1.49e-8 for sigmoid; 0 for an
 * unbounded φ). At distance d from an edge, φ⁻¹ multiplies the rounding of y
 * (about ε) by roughly (hi − lo)/d; past τ that factor exceeds 1/√ε, so an
 * inverted equation would keep fewer than half of float64's digits. For tanh
 * the threshold is θ⁺ = atanh(1 − τ) ≈ 9.0.
 */
export function defaultSaturationTolerance(act: OutputActivation): number {
  const range = outputRange(act);
  return range === undefined ? 0 : SQRT_EPS * (range.hi - range.lo);
}

/** How one batch of observations is read at the edges of φ's range. */
export interface Saturation {
  /** τ in output units (0 and nothing saturated when φ is unbounded). */
  readonly tolerance: number;
  /** φ's range, when bounded. */
  readonly range?: { readonly lo: number; readonly hi: number };
  /** Upper interval's floor hi − τ and lower interval's ceiling lo + τ (φ domain). */
  readonly upperFloor: number;
  readonly lowerCeiling: number;
  /** θ⁺ = φ⁻¹(hi − τ) and θ⁻ = φ⁻¹(lo + τ): the pre-activation thresholds. */
  readonly above: number;
  readonly below: number;
  /** Per observation entry (n × count, like y): +1 upper-saturated, −1 lower-saturated, 0 an equation (or hidden). */
  readonly side: Int8Array;
  /** Saturated known pixels per signal. */
  readonly counts: Int32Array;
}

/**
 * Classifies the known pixels of y (n × count): y ≥ hi − τ is upper-saturated,
 * y ≤ lo + τ lower-saturated (noise past the range lands here too), the rest
 * are equations, strictly inside the range so that φ⁻¹ is finite.
 *
 * @param tolerance τ; undefined takes defaultSaturationTolerance(act).
 * @throws RangeError when τ is not in (0, (hi − lo)/2) for a bounded φ, or negative.
 */
export function classifySaturation(
  y: Matrix,
  known: Uint8Array | undefined,
  act: OutputActivation,
  phi: ActivationFunctions,
  tolerance?: number,
): Saturation {
  const range = outputRange(act);
  const tau = tolerance ?? defaultSaturationTolerance(act);
  if (range === undefined) {
    if (!(tau >= 0 && Number.isFinite(tau))) throw new RangeError(`saturation tolerance must be ≥ 0, got ${tau}`);
    return unsaturated(y);
  }
  const side = new Int8Array(y.data.length);
  const counts = new Int32Array(y.cols);
  // τ = 0 would put the thresholds at ±∞ (φ⁻¹ of the range's edge), and a pixel at the edge does say something finite.
  const half = (range.hi - range.lo) / 2;
  if (!(tau > 0 && tau < half))
    throw new RangeError(`saturation tolerance must be in (0, ${half}) for ${act.kind}, got ${tau}`);
  const upperFloor = range.hi - tau;
  const lowerCeiling = range.lo + tau;
  const count = y.cols;
  for (let p = 0; p < y.data.length; p++) {
    if (known !== undefined && !known[p]) continue;
    const v = y.data[p];
    const s = v >= upperFloor ? 1 : v <= lowerCeiling ? -1 : 0;
    side[p] = s;
    if (s !== 0) counts[p % count]++;
  }
  return {
    tolerance: tau,
    range,
    upperFloor,
    lowerCeiling,
    above: phi.inverse(upperFloor),
    below: phi.inverse(lowerCeiling),
    side,
    counts,
  };
}

/**
 * Observations read with no saturated entry: every known entry an equation.
 * Unbounded φ; and measurements y = A·G(z) through a dense A, where an entry
 * mixes every pixel, so one at the edge of φ's range says nothing one-sided
 * about any pixel's pre-activation (saturation is read pixel-wise or not at all).
 */
export function unsaturated(y: Matrix): Saturation {
  return {
    tolerance: 0,
    upperFloor: Infinity,
    lowerCeiling: -Infinity,
    above: Infinity,
    below: -Infinity,
    side: new Int8Array(y.data.length),
    counts: new Int32Array(y.cols),
  };
}

/**
 * Residual of one pixel in the φ domain, f = φ(p): f − y for an equation,
 * the distance past the interval for a saturated pixel (min(f − (hi − τ), 0)
 * above, max(f − (lo + τ), 0) below). Its square is the pixel's misfit.
 */
export function phiResidual(sat: Saturation, f: number, y: number, side: number): number {
  if (side === 0) return f - y;
  return side > 0 ? Math.min(f - sat.upperFloor, 0) : Math.max(f - sat.lowerCeiling, 0);
}

/** Residual of one pixel in the pre-activation domain: p − φ⁻¹(y) for an equation (`target`), else past θ⁺ / θ⁻. */
export function preResidual(sat: Saturation, p: number, target: number, side: number): number {
  if (side === 0) return p - target;
  return side > 0 ? Math.min(p - sat.above, 0) : Math.max(p - sat.below, 0);
}

/**
 * Exact minimiser of a least-squares problem with one-sided rows,
 * ½Σ_E (a_r x − c_r)² + ½Σ_I dist(a_r x, [θ_r, ∞) or (−∞, θ_r])², by
 * semismooth Newton on the inequality rows: solve with the equations E and
 * the active rows A (those on the wrong side of their threshold, taken as
 * equations at the threshold); recompute A at the new point; stop when A
 * repeats. From A = ∅, a noiseless problem whose equations already fix x
 * stops after one solve with every inequality met.
 *
 * A row solved onto its threshold lands there only up to rounding, so the
 * test has a little hysteresis: a row joins A when it is more than `slack`
 * past its threshold and stays while it is not `slack` inside it.
 *
 * @param solve solves with the given rows as equations (targets of inequality rows at their thresholds), or
 *   undefined; `previous` is the last round's solution (a warm start for an iterative solve).
 * @param gap how far inequality row r is past its threshold at x (> 0: violated).
 * @returns the solution and the active rows, or undefined (a solve failed, or A kept changing for `maxRounds`).
 */
export function solveWithInequalities(
  equations: Int32Array,
  inequalities: Int32Array,
  solve: (rows: Int32Array, previous: Float64Array | undefined) => Float64Array | undefined,
  gap: (x: Float64Array, r: number) => number,
  slack: number,
  maxRounds = 25,
): { x: Float64Array; active: Int32Array } | undefined {
  let active = new Int32Array(0);
  let previous: Float64Array | undefined;
  for (let round = 0; round < maxRounds; round++) {
    const x = solve(active.length === 0 ? equations : mergeSorted(equations, active), previous);
    if (x === undefined) return undefined;
    previous = x;
    const was = new Set(active);
    const next = inequalities.filter((r) => {
      const g = gap(x, r);
      return g > slack || (was.has(r) && g > -slack);
    });
    if (sameIndices(next, active)) return { x, active };
    active = next;
  }
  return undefined;
}

function sameIndices(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Union of two sorted, disjoint index lists, sorted. */
export function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let k = 0;
  let o = 0;
  while (i < a.length && k < b.length) out[o++] = a[i] < b[k] ? a[i++] : b[k++];
  while (i < a.length) out[o++] = a[i++];
  while (k < b.length) out[o++] = b[k++];
  return out;
}

/** b_r + W[r, :]·x for a full-length x: one row's pre-activation. */
export function rowPreActivation(
  layer: { readonly W: Matrix; readonly b: Float64Array },
  x: Float64Array,
  r: number,
): number {
  const n = layer.W.cols;
  let p = layer.b[r];
  for (let q = 0; q < n; q++) if (x[q] !== 0) p += layer.W.data[r * n + q] * x[q];
  return p;
}
