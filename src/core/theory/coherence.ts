import { gemmSubset } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';

/**
 * Normalised Gram matrix of the columns of W restricted to `rows`:
 * G_ij = ⟨w_i, w_j⟩ / (‖w_i‖ ‖w_j‖) (0 for a zero column).
 * @param Wt Wᵀ (kept per layer), so the product is a kernel call on index subsets.
 */
export function normalizedGram(W: Matrix, Wt: Matrix, rows?: Int32Array): Matrix {
  const n = W.cols;
  const G = gemmSubset(Wt, W, matrix(n, n), { inner: rows });
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(G.data[i * n + i]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = norms[i] * norms[j];
      G.data[i * n + j] = d > 0 ? G.data[i * n + j] / d : 0;
    }
  }
  return G;
}

/** Mutual coherence μ = max_{i≠j} |G_ij| of a normalised Gram matrix (0 for fewer than two columns). */
export function mutualCoherence(G: Matrix): number {
  const n = G.cols;
  let mu = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) mu = Math.max(mu, Math.abs(G.data[i * n + j]));
  return mu;
}

/**
 * Babel function μ₁(k) = max_j max_{|Λ| = k, j ∉ Λ} Σ_{i ∈ Λ} |G_ij| for
 * k = 1 … n − 1 (entry k − 1 of the result): for each column, the sum of its
 * k largest off-diagonal correlations. μ₁(1) = μ.
 */
export function babel(G: Matrix): Float64Array {
  const n = G.cols;
  const out = new Float64Array(Math.max(n - 1, 0));
  const row = new Float64Array(Math.max(n - 1, 0));
  for (let j = 0; j < n; j++) {
    let k = 0;
    for (let i = 0; i < n; i++) if (i !== j) row[k++] = Math.abs(G.data[i * n + j]);
    row.sort().reverse();
    let sum = 0;
    for (let q = 0; q < n - 1; q++) {
      sum += row[q];
      if (sum > out[q]) out[q] = sum;
    }
  }
  return out;
}

export interface SparkBound {
  /** Certified lower bound on spark(W) (Infinity when W has full column rank). */
  readonly lower: number;
  /** 1 + 1/μ. */
  readonly fromCoherence: number;
  /** min{k : μ₁(k − 1) ≥ 1} (n + 1 when μ₁ never reaches 1). */
  readonly fromBabel: number;
  readonly coherence: number;
  /** Numerical rank and whether it equals the number of columns (then spark = ∞). */
  readonly rank: number;
  readonly fullColumnRank: boolean;
  /**
   * The Babel function's first terms μ₁(1) … μ₁(K), K = min(n − 1, BABEL_TERMS):
   * enough to draw where it reaches 1 (the bound `fromBabel`) on a figure
   * without keeping n − 1 numbers per signal.
   */
  readonly babel: readonly number[];
}

/**
 * How many terms of the Babel function a SparkBound keeps (see `SparkBound.babel`): a check job
 * stores them per sample and layer in its chunk files, where 16 add about a quarter to their size.
 * Trained and Gaussian layers reach μ₁ = 1 well before k = 16; past it the bound is still exact in `fromBabel`.
 */
export const BABEL_TERMS = 16;

/**
 * Certified lower bounds on spark(W) (the fewest linearly dependent
 * columns): spark ≥ 1 + 1/μ and spark ≥ min{k : μ₁(k − 1) ≥ 1} (Elad 2010,
 * Thm 2.5 and its Babel form); ∞ when W has full column rank (no set of
 * columns is dependent). Spark itself is NP-hard; these never exceed it.
 */
export function sparkLowerBound(G: Matrix, rank: number): SparkBound {
  const n = G.cols;
  const mu = mutualCoherence(G);
  // Correlations are rounded: two equal columns give 0.9999999999999999, not 1. Inflating them by
  // 1e-12 before comparing keeps every bound on the safe (lower) side.
  const inflate = 1 + 1e-12;
  const muSafe = Math.min(1, mu * inflate);
  const fromCoherence = muSafe > 0 ? 1 + 1 / muSafe : Number.POSITIVE_INFINITY;
  const b = babel(G);
  let fromBabel = n + 1;
  for (let k = 2; k <= n; k++) {
    if (b[k - 2] * inflate >= 1) {
      fromBabel = k;
      break;
    }
  }
  // A zero column is linearly dependent on its own: spark 1 (normalizedGram marks it with G_jj = 0).
  let zeroColumn = false;
  for (let j = 0; j < n; j++) if (G.data[j * n + j] === 0) zeroColumn = true;
  const fullColumnRank = rank === n && !zeroColumn;
  const lower = zeroColumn
    ? 1
    : fullColumnRank
      ? Number.POSITIVE_INFINITY
      : Math.min(Math.max(fromCoherence, fromBabel), rank + 1);
  return {
    lower,
    fromCoherence,
    fromBabel,
    coherence: mu,
    rank,
    fullColumnRank,
    babel: Array.from(b.subarray(0, Math.min(b.length, BABEL_TERMS))),
  };
}
