import { choleskyInPlace } from '../linalg/cholesky';
import { symmetricEigenvalues } from '../linalg/eigen';
import { gemmSubset } from '../linalg/gemm';
import { matrix } from '../linalg/matrix';
import { numericalRank } from '../linalg/qr';
import type { PreparedLayer } from '../pursuit/prepared';
import { normalizedGram, sparkLowerBound, type SparkBound } from './coherence';
import { sub } from './text';

/** One signal's hidden supports S_1 … S_L and the output rows that carry equations. */
export interface SignalSupports {
  readonly supports: readonly Int32Array[];
  /**
   * The output pixels that carry an equation: the known ones, less those
   * saturated at the edge of φ's range (pursuit/saturation.ts), which only
   * bound their pre-activation from one side and are left out, as a mask's
   * hidden pixels are. Leaving out information keeps every condition sufficient.
   */
  readonly knownRows: Int32Array;
}

/** The conditions one theorem puts on one hidden layer, for one signal. */
export interface LayerCondition {
  readonly holds: boolean;
  /** Human-readable, with the numbers, e.g. `s₂ = 210 < spark(W₂^{S₃})/2 (certified ≥ 8.5)`. */
  readonly statement: string;
  /** The statements of the parts that fail (empty when it holds). */
  readonly failed: string[];
}

export interface LayerEvaluation {
  /** i, 1-based hidden layer. */
  readonly layer: number;
  readonly s: number;
  /** μ(W_i^{S_{i+1}}) (rows: the next layer's support, or the known pixels for i = L). */
  readonly coherence: number;
  readonly spark: SparkBound;
  readonly theorem1: LayerCondition;
  readonly theorem2: LayerCondition;
  readonly theorem3: LayerCondition;
}

export interface SignalEvaluation {
  readonly layers: LayerEvaluation[];
  /** rank(W_0^{S_1}). */
  readonly rankFirst: number;
  readonly theorem1: boolean;
  readonly theorem2: boolean;
  readonly theorem3: boolean;
}

const condition = (holds: boolean, statement: string): LayerCondition => ({
  holds,
  statement,
  failed: holds ? [] : [statement],
});
const and = (conditions: LayerCondition[]): LayerCondition => ({
  holds: conditions.every((c) => c.holds),
  statement: conditions.map((c) => c.statement).join('; '),
  failed: conditions.flatMap((c) => c.failed),
});

const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : '∞');

/**
 * The paper's uniqueness and stability conditions (ALGORITHMS.md §2–3) on
 * one signal's actual supports, in computable sufficient form:
 *
 * - Theorem 1 (any weights): s_L < spark(W_L)/2, s_i < spark(W_i^{S_{i+1}})/2,
 *   and rank(W_0^{S_1}) = n₀ ≤ s_1 — with spark replaced by its certified lower
 *   bound (∞ for full column rank), so "holds" is a proof, "fails" is "not proven".
 * - Theorem 2 (i.i.d. Gaussian weights, w.p. 1): s_L < n (the number of known,
 *   unsaturated pixels, under a mask or saturation), s_i < s_{i+1}, s_1 ≥ n₀.
 * - Theorem 3 (stability of the layered pursuit): s_i < 1/(3 μ(W_i^{S_{i+1}}))
 *   for every layer, and W_0^{S_1} of full column rank.
 */
export function evaluateSignal(layers: readonly PreparedLayer[], sig: SignalSupports): SignalEvaluation {
  const L = layers.length - 1;
  const n0 = layers[0].W.cols;
  const n = layers[L].W.rows;
  const s = sig.supports.map((x) => x.length);
  const first = layers[0];
  const S1 = sig.supports[0];
  const rankFirst = S1.length === 0 ? 0 : numericalRank(gatherRows(first.W.data, first.W.cols, S1));

  const out: LayerEvaluation[] = [];
  for (let i = 1; i <= L; i++) {
    const layer = layers[i];
    const rows = i === L ? sig.knownRows : sig.supports[i];
    const spark = supportedSpark(layer, rows);
    const si = s[i - 1];
    const rowsLabel = i === L ? `W${sub(i)}` : `W${sub(i)}^{S${sub(i + 1)}}`;
    const sparkText = spark.fullColumnRank
      ? `spark(${rowsLabel}) = ∞ (full column rank)`
      : `spark(${rowsLabel})/2 (certified ≥ ${fmt(spark.lower / 2)})`;
    const t1: LayerCondition[] = [condition(si < spark.lower / 2, `s${sub(i)} = ${si} < ${sparkText}`)];
    const t2: LayerCondition[] = [];
    if (i === 1) {
      t1.push(
        condition(rankFirst === n0 && n0 <= si, `rank(W₀^{S₁}) = n₀ ≤ s₁ (rank ${rankFirst}, n₀ = ${n0}, s₁ = ${si})`),
      );
      t2.push(condition(si >= n0, `s₁ = ${si} ≥ n₀ = ${n0}`));
    }
    if (i < L) t2.push(condition(si < s[i], `s${sub(i)} = ${si} < s${sub(i + 1)} = ${s[i]}`));
    else if (sig.knownRows.length === n) t2.push(condition(si < n, `s${sub(L)} = ${si} < n = ${n}`));
    // With hidden or saturated pixels only the rows of W_L that carry equations speak: s_L must stay below their number.
    else
      t2.push(
        condition(
          si < sig.knownRows.length,
          `s${sub(L)} = ${si} < pixels with equations (known, unsaturated) = ${sig.knownRows.length}`,
        ),
      );
    const t3: LayerCondition[] = [
      condition(
        spark.coherence === 0 || si < 1 / (3 * spark.coherence),
        `s${sub(i)} = ${si} < 1/(3μ(${rowsLabel})) = ${fmt(1 / (3 * spark.coherence))} (μ = ${fmt(spark.coherence)})`,
      ),
    ];
    if (i === 1) t3.push(condition(rankFirst === n0, `W₀^{S₁} has full column rank (rank ${rankFirst} of ${n0})`));
    out.push({
      layer: i,
      s: si,
      coherence: spark.coherence,
      spark,
      theorem1: and(t1),
      theorem2: and(t2),
      theorem3: and(t3),
    });
  }
  return {
    layers: out,
    rankFirst,
    theorem1: out.every((l) => l.theorem1.holds),
    theorem2: out.every((l) => l.theorem2.holds),
    theorem3: out.every((l) => l.theorem3.holds),
  };
}

// Every row of a layer (the output layer with all pixels known) gives the same bound for every signal: once per layer.
const fullRowsSpark = new WeakMap<PreparedLayer, SparkBound>();

/**
 * Spark bound of W[rows, :]. Full column rank is recognised by a Cholesky of
 * the normalised Gram matrix whose every pivot exceeds 1e-6 (σ_min/σ_max of
 * the normalised columns above about 1e-6); otherwise the rank comes from a
 * column-pivoted QR of the rows at its default tolerance.
 */
export function supportedSpark(layer: PreparedLayer, rows: Int32Array): SparkBound {
  const all = rows.length === layer.W.rows;
  if (all) {
    const cached = fullRowsSpark.get(layer);
    if (cached !== undefined) return cached;
  }
  const n = layer.W.cols;
  const G = normalizedGram(layer.W, layer.Wt, all ? undefined : rows);
  const factor = Float64Array.from(G.data);
  let rank: number;
  if (rows.length >= n && choleskyInPlace(factor, n) && minPivot(factor, n) > 1e-6) rank = n;
  else rank = rows.length === 0 ? 0 : numericalRank(gatherRows(layer.W.data, n, rows));
  const bound = sparkLowerBound(G, rank);
  if (all) fullRowsSpark.set(layer, bound);
  return bound;
}

function minPivot(l: Float64Array, n: number): number {
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) m = Math.min(m, l[i * n + i]);
  return m;
}

function gatherRows(data: Float64Array, cols: number, rows: Int32Array) {
  const out = new Float64Array(rows.length * cols);
  rows.forEach((r, k) => out.set(data.subarray(r * cols, (r + 1) * cols), k * cols));
  return matrix(rows.length, cols, out);
}

/** λ_min and λ_max of W[rows, cols]ᵀ W[rows, cols]. */
export function gramExtremes(layer: PreparedLayer, rows: Int32Array, cols: Int32Array): { min: number; max: number } {
  if (cols.length === 0) return { min: Number.POSITIVE_INFINITY, max: 0 };
  const G = gemmSubset(layer.Wt, layer.W, matrix(cols.length, cols.length), { rows: cols, inner: rows, cols });
  const ev = symmetricEigenvalues(G);
  return { min: Math.max(ev[0], 0), max: ev[ev.length - 1] };
}

/**
 * Theorem 4: bounds on the Oracle's mean squared error per layer under
 * Gaussian noise σ on the known pixels (identity φ; for other φ, the
 * linearisation), with W̃_j = W_j[S_{j+1}, S_j] (S_{L+1}: the known pixels,
 * S_0: every coordinate of z):
 *   σ² s_i / Π_{j=i}^{L} λ_max(W̃_jᵀW̃_j) ≤ E‖x̂_i − x_i‖² ≤ σ² s_i / Π_{j=i}^{L} λ_min(W̃_jᵀW̃_j),
 * and the same with n₀ for z (index 0 of the result).
 */
export function theorem4Bounds(
  layers: readonly PreparedLayer[],
  sig: SignalSupports,
  sigma: number,
): { lower: number; upper: number }[] {
  const L = layers.length - 1;
  const n0 = layers[0].W.cols;
  const all0 = Int32Array.from({ length: n0 }, (_, k) => k);
  const extremes = layers.map((layer, j) => {
    const rows = j === L ? sig.knownRows : sig.supports[j];
    const cols = j === 0 ? all0 : sig.supports[j - 1];
    return gramExtremes(layer, rows, cols);
  });
  const result: { lower: number; upper: number }[] = [];
  for (let i = 0; i <= L; i++) {
    let maxProduct = 1;
    let minProduct = 1;
    for (let j = i; j <= L; j++) {
      maxProduct *= extremes[j].max;
      minProduct *= extremes[j].min;
    }
    const size = i === 0 ? n0 : sig.supports[i - 1].length;
    result.push({ lower: (sigma * sigma * size) / maxProduct, upper: (sigma * sigma * size) / minProduct });
  }
  return result;
}

/**
 * Theorem 3's error bounds for the layered pursuit under bounded noise ε:
 * ε_{L+1} = ℓε, ε_i = (3 + √1.5)·√s_i·ε_{i+1} / min_j ‖W_i[S_{i+1}, j]‖ and
 * ‖ẑ − z‖ ≤ ε_1/√ϕ with ϕ = λ_min((W_0^{S_1})ᵀ W_0^{S_1}). Meaningful only
 * where Theorem 3's coherence conditions hold. Index i of `layers` is ε_i (i = 1 … L).
 */
export function theorem3Bounds(
  layers: readonly PreparedLayer[],
  sig: SignalSupports,
  epsilon: number,
  lipschitzInverse: number,
): { layers: number[]; z: number } {
  const L = layers.length - 1;
  let eps = lipschitzInverse * epsilon;
  const bounds = new Array<number>(L).fill(0);
  for (let i = L; i >= 1; i--) {
    const layer = layers[i];
    const rows = i === L ? sig.knownRows : sig.supports[i];
    let minNorm = Number.POSITIVE_INFINITY;
    for (let c = 0; c < layer.W.cols; c++) {
      let ss = 0;
      for (const r of rows) ss += layer.W.data[r * layer.W.cols + c] ** 2;
      minNorm = Math.min(minNorm, Math.sqrt(ss));
    }
    eps = ((3 + Math.sqrt(1.5)) * Math.sqrt(sig.supports[i - 1].length) * eps) / minNorm;
    bounds[i - 1] = eps;
  }
  const n0 = layers[0].W.cols;
  const { min } = gramExtremes(
    layers[0],
    sig.supports[0],
    Int32Array.from({ length: n0 }, (_, k) => k),
  );
  return { layers: bounds, z: min > 0 ? bounds[0] / Math.sqrt(min) : Number.POSITIVE_INFINITY };
}
