import type { Matrix } from '../linalg/matrix';
import type { PreparedLayer } from '../pursuit/prepared';
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
