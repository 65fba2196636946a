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

/** Per-layer transposes, Gram matrices and spectral norms, cached per generator object. */
export function prepare(gen: Generator): PreparedLayer[] {
  let layers = cache.get(gen);
  if (layers === undefined) {
    layers = gen.layers.map((l) => {
      // Constant from here on: the product kernel packs them once (linalg/constant.ts).
      markConstant(l.W);
      const Wt = markConstant(transpose(l.W));
      const gram = gemm(Wt, l.W, matrix(l.W.cols, l.W.cols));
      // Power iteration on G = WᵀW itself (λ_max(GᵀG) = λ_max(G)²): cheaper per step and the eigenvalue ratio is squared.
      const { lambda } = powerIterationGram(gram, gram, { tolerance: 1e-12, maxIterations: 1000 });
      return { W: l.W, Wt, b: l.b, gram, lambdaMax: Math.sqrt(lambda) * (1 + 1e-3) };
    });
    cache.set(gen, layers);
  }
  return layers;
}
