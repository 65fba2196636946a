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
  /**
   * The output read as a grayscale image of height × width pixels, row-major
   * (height · width = n), when recorded with the model. Without it an output
   * of n = side² pixels is taken for a square image (outputImageShape).
   */
  readonly imageShape?: ImageShape;
}

/** An image's [height, width] in pixels. */
export type ImageShape = readonly [height: number, width: number];

/**
 * What is wrong with a recorded image shape for an output of n values, or
 * undefined when it is two positive integers whose product is n.
 */
export function imageShapeProblem(shape: unknown, n: number): string | undefined {
  if (
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    !shape.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1)
  )
    return `imageShape must be [height, width], two positive integers, got ${describeShape(shape)}`;
  const [h, w] = shape as [number, number];
  if (h * w !== n)
    return `imageShape [${h}, ${w}] is ${h} × ${w} = ${h * w} pixels, but the model's output has n = ${n} values (height × width must equal n)`;
  return undefined;
}

/** A short account of a malformed shape (never a whole long array). */
const describeShape = (shape: unknown): string =>
  Array.isArray(shape)
    ? shape.length === 2
      ? `[${shape.map((v) => String(JSON.stringify(v)).slice(0, 20)).join(', ')}]`
      : `an array of ${shape.length} entries`
    : String(JSON.stringify(shape)).slice(0, 40);

/**
 * The output's image shape: the recorded one, else [side, side] when n is a
 * square (side > 1), else undefined (not an image: signals draw as lines).
 *
 * @example outputImageShape(784) // [28, 28]
 * @example outputImageShape(84, [12, 7]) // [12, 7]
 */
export function outputImageShape(n: number, recorded?: ImageShape): ImageShape | undefined {
  if (recorded !== undefined) return recorded;
  const side = Math.round(Math.sqrt(n));
  return side > 1 && side * side === n ? [side, side] : undefined;
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
  if (gen.imageShape !== undefined) return imageShapeProblem(gen.imageShape, inDim);
  return undefined;
}

function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}
