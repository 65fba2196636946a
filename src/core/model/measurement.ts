/**
 * Compressed sensing, the setting of Bora et al. (2017): y = A·G(z) + e with
 * A an m × n Gaussian matrix, entries i.i.d. N(0, 1/m) (so E‖A v‖² = ‖v‖²).
 * A mask is the special case where A selects rows of the identity; a dense A
 * mixes every pixel into every measurement.
 */
import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import type { Generator } from './generator';

/** How G(z) is measured: pixel by pixel (masks apply), or through a seeded m × n Gaussian matrix. */
export type MeasureSpec =
  | { readonly kind: 'pixels' }
  /** A ~ N(0, 1/m) entry-wise, drawn row-major from `seed`: (m, n, seed) fixes A. */
  | { readonly kind: 'gaussian'; readonly m: number; readonly seed: number };

/**
 * Parses `pixels`, `gaussian:M` or `gaussian:M:SEED` (the CLI's --measure);
 * without SEED, A is drawn from `defaultSeed` (the run's seed, recorded in the spec).
 * @throws RangeError naming the problem.
 */
export function parseMeasure(text: string, defaultSeed: number): MeasureSpec {
  if (text === 'pixels' || text === 'none') return { kind: 'pixels' };
  const m = /^gaussian:(\d+)(?::(\d+))?$/.exec(text);
  if (m)
    return checkMeasure({ kind: 'gaussian', m: Number(m[1]), seed: m[2] === undefined ? defaultSeed : Number(m[2]) });
  throw new RangeError(`unknown measurement "${text}" (use pixels, gaussian:M or gaussian:M:SEED)`);
}

/** @throws RangeError when m is not a positive integer or the seed not a safe integer ≥ 0. */
export function checkMeasure(spec: MeasureSpec): MeasureSpec {
  if (spec.kind === 'gaussian') {
    if (!(Number.isSafeInteger(spec.m) && spec.m >= 1))
      throw new RangeError(`the measurement count m must be a positive integer, got ${spec.m}`);
    if (!(Number.isSafeInteger(spec.seed) && spec.seed >= 0))
      throw new RangeError(`the measurement seed must be an integer ≥ 0, got ${spec.seed}`);
  }
  return spec;
}

// The same A for every block of a run (and the same object, so the folded generator below is built once).
const matrices = new Map<string, Matrix>();
const MATRIX_CACHE_SIZE = 8;

/** The m × n matrix of a Gaussian measurement spec (never to be written to: it is shared). */
export function measurementMatrix(spec: { readonly m: number; readonly seed: number }, n: number): Matrix {
  const key = `${spec.m}×${n}@${spec.seed}`;
  let A = matrices.get(key);
  if (A === undefined) {
    A = matrix(spec.m, n);
    createRng(spec.seed).fillGaussian(A.data, 1 / Math.sqrt(spec.m));
    if (matrices.size >= MATRIX_CACHE_SIZE) matrices.clear();
    matrices.set(key, A);
  }
  return A;
}

// One folded generator per (generator, A): contexts, certificates and the debiasing all reuse its prepared layers.
const folded = new WeakMap<Generator, WeakMap<Matrix, Generator>>();

/**
 * For an identity φ, y = A(W_L x_L + b_L) = (A W_L) x_L + A b_L: the generator
 * whose output layer is (A W_L, A b_L) has exactly the observations as its
 * output, so every method (and Theorem 1's certificate, whose last-layer
 * condition becomes s_L < spark(A W_L)/2) runs on it unchanged.
 * @throws RangeError for a non-identity φ (A φ(·) does not fold) or a size mismatch.
 */
export function foldMeasurement(gen: Generator, A: Matrix): Generator {
  if (gen.output.kind !== 'identity')
    throw new RangeError(`only an identity output folds into A·W_L; this generator's φ is ${gen.output.kind}`);
  const last = gen.layers[gen.layers.length - 1];
  if (A.cols !== last.W.rows)
    throw new RangeError(`the measurement matrix has ${A.cols} columns but the generator outputs ${last.W.rows}`);
  let byA = folded.get(gen);
  if (byA === undefined) folded.set(gen, (byA = new WeakMap()));
  let out = byA.get(A);
  if (out === undefined) {
    const W = gemm(A, last.W, matrix(A.rows, last.W.cols));
    const b = gemm(A, matrix(last.b.length, 1, last.b), matrix(A.rows, 1)).data;
    out = {
      ...gen,
      name: `${gen.name} measured by A (${A.rows} × ${A.cols})`,
      layers: [...gen.layers.slice(0, -1), { W, b }],
    };
    byA.set(A, out);
  }
  return out;
}
