import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import type { OutputActivation } from './activations';
import type { Generator } from './generator';

/**
 * The paper's random family (Fig. 2): every W_i i.i.d. N(0, 1/n_i) — variance
 * one over fan-in, so activations keep their scale through the layers — and
 * zero biases. Weights are drawn layer by layer, row-major, from one seeded
 * stream, so (dims, seed) fixes the generator.
 *
 * @param dims [n₀, n₁, …, n], at least three entries (one hidden layer).
 */
export function randomGaussianGenerator(
  dims: readonly number[],
  output: OutputActivation,
  seed: number,
  name = `random:${dims.join(',')}:${output.kind}@${seed}`,
): Generator {
  if (dims.length < 3)
    throw new RangeError(`a generator needs [n0, n1, …, n] with at least one hidden layer, got [${dims.join(', ')}]`);
  for (const d of dims) {
    if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`layer widths must be positive integers, got ${d}`);
  }
  const rng = createRng(seed);
  const layers = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    const W = matrix(dims[i + 1], dims[i]);
    rng.fillGaussian(W.data, 1 / Math.sqrt(dims[i]));
    layers.push({ W, b: new Float64Array(dims[i + 1]) });
  }
  return { name, inputDim: dims[0], hidden: 'relu', output, layers };
}
