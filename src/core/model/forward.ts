import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { activationFunctions } from './activations';
import type { Generator } from './generator';

/** Every layer of a forward pass over a batch (columns are signals). */
export interface ForwardPass {
  /** x₁ … x_L, each `n_i × count` (after ReLU). */
  readonly hidden: Matrix[];
  /** W_L x_L + b_L, `n × count` (before φ). */
  readonly preOutput: Matrix;
  /** G(z) = φ(preOutput), `n × count`. */
  readonly output: Matrix;
}

/**
 * Runs the generator on a batch of latent vectors.
 *
 * @param z `n₀ × count`, one latent vector per column.
 */
export function forward(gen: Generator, z: Matrix): ForwardPass {
  if (z.rows !== gen.inputDim) {
    throw new RangeError(`forward: z has ${z.rows} rows but the generator's input dimension is ${gen.inputDim}`);
  }
  const count = z.cols;
  const hidden: Matrix[] = [];
  let x = z;
  const last = gen.layers.length - 1;
  for (let i = 0; i < last; i++) {
    const { W, b } = gen.layers[i];
    const next = gemm(W, x, matrix(W.rows, count), b);
    const d = next.data;
    for (let j = 0; j < d.length; j++) if (d[j] < 0) d[j] = 0;
    hidden.push(next);
    x = next;
  }
  const { W, b } = gen.layers[last];
  const preOutput = gemm(W, x, matrix(W.rows, count), b);
  const phi = activationFunctions(gen.output).forward;
  const out = new Float64Array(preOutput.data.length);
  for (let j = 0; j < out.length; j++) out[j] = phi(preOutput.data[j]);
  return { hidden, preOutput, output: matrix(W.rows, count, out) };
}
