import type { Matrix } from '../linalg/matrix';
import type { OutputActivation } from './activations';

/** One affine map x ↦ W x + b; W is `out × in`. */
export interface Layer {
  readonly W: Matrix;
  readonly b: Float64Array;
}

/**
 * A generator in the paper's form (ALGORITHMS.md §1):
 * x₀ = z, x_{i+1} = ReLU(W_i x_i + b_i) for the hidden layers, and
 * G(z) = φ(W_L x_L + b_L). `layers` holds W_0 … W_L, so there are
 * `layers.length - 1` hidden layers.
 */
export interface Generator {
  /** Free-text name for display (from the file, or the file name). */
  readonly name: string;
  /** n₀, the latent dimension. */
  readonly inputDim: number;
  /** Every hidden layer uses ReLU: that is what makes them sparse. */
  readonly hidden: 'relu';
  readonly output: OutputActivation;
  readonly layers: readonly Layer[];
}

/** [n₀, n₁, …, n_L, n]: the width of every layer from latent to output. */
export function layerDims(gen: Generator): number[] {
  return [gen.inputDim, ...gen.layers.map((l) => l.W.rows)];
}

/** Number of trainable parameters (every W and b entry). */
export function parameterCount(gen: Generator): number {
  return gen.layers.reduce((sum, l) => sum + l.W.data.length + l.b.length, 0);
}

/**
 * Checks a generator's internal consistency (shapes chain, finite numbers).
 * Readers call it so that every format reports the same problems alike.
 * @returns a message naming the first problem, or undefined when valid.
 */
export function checkGenerator(gen: Generator): string | undefined {
  if (!(Number.isInteger(gen.inputDim) && gen.inputDim > 0)) {
    return `input dimension must be a positive integer, got ${gen.inputDim}`;
  }
  if (gen.layers.length < 2) {
    return `a generator needs at least one hidden layer and an output layer, got ${gen.layers.length} layer(s)`;
  }
  let inDim = gen.inputDim;
  for (let i = 0; i < gen.layers.length; i++) {
    const { W, b } = gen.layers[i];
    if (W.cols !== inDim) {
      return `layer ${i}: W has ${W.cols} columns but its input has ${inDim} entries`;
    }
    if (W.rows < 1) return `layer ${i}: W has no rows`;
    if (b.length !== W.rows) return `layer ${i}: b has ${b.length} entries but W has ${W.rows} rows`;
    const badW = firstNonFinite(W.data);
    if (badW >= 0) {
      return `layer ${i}: W[${Math.floor(badW / W.cols)}][${badW % W.cols}] is ${W.data[badW]}, not a finite number`;
    }
    const badB = firstNonFinite(b);
    if (badB >= 0) return `layer ${i}: b[${badB}] is ${b[badB]}, not a finite number`;
    inDim = W.rows;
  }
  return undefined;
}

function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}
