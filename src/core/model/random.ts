import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { checkActivation, type OutputActivation } from './activations';
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

/** A parsed `random:n0,n1,…,n[:activation][@seed]` model spec. */
export interface RandomSpec {
  readonly dims: number[];
  readonly output: OutputActivation;
  readonly seed: number;
}

/**
 * Parses `random:n0,n1,…,n[:activation][@seed]` (activation: identity, tanh,
 * sigmoid, leaky_relu (slope 0.2), plu (α = 0.1, c = 1), or custom(EXPRESSION
 * in x); default tanh; seed default 0).
 * @throws RangeError naming the problem.
 */
export function parseRandomSpec(text: string): RandomSpec {
  const m = /^random:([0-9,\s]+)(?::([a-z_]+|custom\(.+\)))?(?:@(\d+))?$/.exec(text.trim());
  if (m === null) throw new RangeError(`"${text}" is not a random model spec (random:n0,n1,…,n[:activation][@seed])`);
  const dims = m[1].split(',').map((d) => Number(d.trim()));
  if (dims.length < 3 || dims.some((d) => !(Number.isInteger(d) && d >= 1 && d <= 100_000))) {
    throw new RangeError(`random model widths must be at least three integers from 1 to 100000, got "${m[1]}"`);
  }
  const name = m[2] ?? 'tanh';
  const outputs: Record<string, OutputActivation> = {
    identity: { kind: 'identity' },
    tanh: { kind: 'tanh' },
    sigmoid: { kind: 'sigmoid' },
    leaky_relu: { kind: 'leaky_relu', slope: 0.2 },
    plu: { kind: 'plu', alpha: 0.1, c: 1 },
  };
  const custom = /^custom\((.+)\)$/.exec(name);
  const output: OutputActivation | undefined = custom ? { kind: 'custom', expression: custom[1] } : outputs[name];
  if (custom) {
    const problem = checkActivation(output!);
    if (problem !== undefined) throw new RangeError(problem);
  }
  if (output === undefined)
    throw new RangeError(`unknown activation "${name}" (known: ${Object.keys(outputs).join(', ')})`);
  return { dims, output, seed: m[3] === undefined ? 0 : Number(m[3]) };
}
