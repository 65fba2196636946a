import type { Matrix } from '../linalg/matrix';
import { numericalRank } from '../linalg/qr';
import type { PreparedLayer } from '../pursuit/prepared';
import { sub } from './text';
import { evaluateSignal, type SignalSupports } from './theorems';

/** Whether a recovered solution is provably the unique one at its sparsity levels, and if not, why not. */
export interface UniquenessCertificate {
  /** True when Theorem 1's sufficient conditions hold on ẑ's own supports (a proof, for any weights). */
  readonly certified: boolean;
  /** `Theorem 1` when certified. */
  readonly theorem?: 'Theorem 1';
  /** Theorem 2's conditions on ẑ's supports (uniqueness with probability 1 for i.i.d. Gaussian weights only). */
  readonly theorem2: boolean;
  /** Where Theorem 1 fails: the first failing layer and its condition, with numbers. */
  readonly failing?: { readonly layer: number; readonly condition: string };
  /** Sparsity levels s_1 … s_L of ẑ's layers. */
  readonly sparsity: number[];
}

/**
 * Certifies a recovered ẑ: reads the supports of its own layers (exact, ReLU
 * zeros), then checks Theorem 1 in its per-signal form with certified spark
 * bounds. Certified means no other z with layers at most this sparse maps to
 * the same output on the known pixels.
 *
 * @param hidden the layers of G(ẑ) (n_i × count), column j for signal j.
 */
export function certifyUniqueness(
  layers: readonly PreparedLayer[],
  hidden: readonly Matrix[],
  j: number,
  knownRows: Int32Array,
): UniquenessCertificate {
  const supports = hidden.map((x) => {
    const s: number[] = [];
    for (let i = 0; i < x.rows; i++) if (x.data[i * x.cols + j] > 0) s.push(i);
    return Int32Array.from(s);
  });
  const sig: SignalSupports = { supports, knownRows };
  const e = evaluateSignal(layers, sig);
  const failingLayer = e.layers.find((l) => !l.theorem1.holds);
  return {
    certified: e.theorem1,
    ...(e.theorem1 ? { theorem: 'Theorem 1' as const } : {}),
    theorem2: e.theorem2,
    ...(failingLayer ? { failing: { layer: failingLayer.layer, condition: failingLayer.theorem1.failed[0] } } : {}),
    sparsity: supports.map((s) => s.length),
  };
}

// rank(A) per measurement matrix: every signal of a run asks about the same A.
const ranks = new WeakMap<Matrix, number>();

/**
 * Theorem 1 under a measurement matrix, y = A φ(W_L x_L + b_L) (+ e), A m × n.
 * Conditions (ii) and (iii) are about the inner layers and do not change; the
 * last-layer condition (i), s_L < spark(W_L)/2, came from: two s_L-sparse
 * candidates x, x′ with the same observation differ by a 2s_L-sparse vector
 * the observation map sends to 0. Restated:
 *
 * - φ the identity: A W_L (x − x′) = 0, so (i) becomes s_L < spark(A·W_L)/2.
 *   As spark(A·W_L) ≤ rank(A·W_L) + 1 ≤ m + 1, this needs m ≥ 2s_L, and the
 *   computable certificate (spark by its certified lower bound, ∞ at full
 *   column rank) in practice needs A·W_L of full column rank, m ≥ n_L. It is
 *   checked on `folded` = prepare(foldMeasurement(gen, A)), every row of A·W_L.
 * - φ strictly increasing but not the identity: A φ(u) = A φ(u′) means
 *   A D (u − u′) = 0 with D = diag((φ(u_i) − φ(u′_i))/(u_i − u′_i)) > 0, a
 *   diagonal that depends on the two candidates. When rank A = n, A is
 *   injective, so φ(u) = φ(u′), u = u′, and (i) is the unmeasured
 *   s_L < spark(W_L)/2 on every pixel. When rank A < n, (i) would need
 *   s_L < spark(A D W_L)/2 for every such D, which no finite computation
 *   certifies: the certificate fails at layer L and says so.
 *
 * @param layers prepare(gen) for a non-identity φ, prepare(foldMeasurement(gen, A)) for the identity.
 */
export function certifyMeasured(
  layers: readonly PreparedLayer[],
  identity: boolean,
  A: Matrix,
  hidden: readonly Matrix[],
  j: number,
): UniquenessCertificate {
  const rowsOf = (k: number) => Int32Array.from({ length: k }, (_, i) => i);
  if (identity) return certifyUniqueness(layers, hidden, j, rowsOf(A.rows));
  let rank = ranks.get(A);
  if (rank === undefined) ranks.set(A, (rank = numericalRank(A)));
  const n = A.cols;
  if (rank === n) return certifyUniqueness(layers, hidden, j, rowsOf(n));
  const L = hidden.length;
  return {
    certified: false,
    theorem2: false,
    failing: {
      layer: L,
      condition:
        `A is ${A.rows} × ${n} of rank ${rank} < n = ${n}, and φ is not the identity: A·φ(W${sub(L)}x + b${sub(L)}) does not ` +
        `determine φ(W${sub(L)}x + b${sub(L)}), and s${sub(L)} < spark(A·D·W${sub(L)})/2 for every positive diagonal D has no computable certificate`,
    },
    sparsity: hidden.map((x) => {
      let s = 0;
      for (let i = 0; i < x.rows; i++) if (x.data[i * x.cols + j] > 0) s++;
      return s;
    }),
  };
}
