import { markConstant } from '../linalg/constant';
import { transpose } from '../linalg/dense';
import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { powerIterationGram } from '../linalg/power';
import type { Generator } from '../model/generator';

/** What every solver needs per layer, computed once per generator: Wᵀ, WᵀW and λ_max(WᵀW). */
export interface PreparedLayer {
  readonly W: Matrix;
  readonly Wt: Matrix;
  readonly b: Float64Array;
  /** WᵀW (n_i × n_i). */
  readonly gram: Matrix;
  /** λ_max(WᵀW) by power iteration, raised by 0.1% since the iteration approaches it from below. */
  readonly lambdaMax: number;
}

const cache = new WeakMap<Generator, PreparedLayer[]>();

/**
 * Per-layer transposes, Gram matrices and spectral norms, cached per generator object. WᵀW and
 * λ_max are computed on first use: the layer-wise Oracle and the least-squares steps read no
 * λ_max, and a job worker's start (a Gram product and a power iteration per layer, ~0.1 s on
 * MNIST) counts in every short run's wall clock.
 */
export function prepare(gen: Generator): PreparedLayer[] {
  let layers = cache.get(gen);
  if (layers === undefined) {
    layers = gen.layers.map((l): PreparedLayer => {
      // Constant from here on: the product kernel packs them once (linalg/constant.ts).
      markConstant(l.W);
      const Wt = markConstant(transpose(l.W));
      let gram: Matrix | undefined;
      let lambdaMax: number | undefined;
      return {
        W: l.W,
        Wt,
        b: l.b,
        get gram() {
          return (gram ??= gemm(Wt, l.W, matrix(l.W.cols, l.W.cols)));
        },
        get lambdaMax() {
          if (lambdaMax === undefined) {
            // Power iteration on G = WᵀW itself (λ_max(GᵀG) = λ_max(G)²): cheaper per step and the eigenvalue ratio is squared.
            const g = this.gram;
            const { lambda } = powerIterationGram(g, g, { tolerance: 1e-12, maxIterations: 1000 });
            lambdaMax = Math.sqrt(lambda) * (1 + 1e-3);
          }
          return lambdaMax;
        },
      };
    });
    cache.set(gen, layers);
  }
  return layers;
}
