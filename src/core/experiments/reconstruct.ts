/**
 * One signal of an invert run, redrawn: its truth G(z), what the methods
 * observed, and each method's G(ẑ) from the ẑ the report recorded. A report
 * keeps images for the first few signals only (examples.ts); with ẑ and the
 * seeds this gives any other signal exactly as the job saw it.
 */
import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { snrDb } from '../metrics';
import { forward } from '../model/forward';
import type { Generator } from '../model/generator';
import type { MeasureSpec } from '../model/measurement';
import { observe, type MaskSpec, type NoiseSpec } from '../model/observation';
import type { MethodId } from '../pursuit/types';
import { chunkSeed, SNR_CAP_DB } from './invert';
import { observeSignals, signalLatents } from './signalDraws';

/**
 * What a signal's draw depends on: an invert report's `settings` (with
 * `draws: 'signal'`, or with `chunkSize`, recorded with ẑ).
 */
export interface SignalDraw {
  readonly count: number;
  readonly seed: number;
  /** `signal`: each signal was drawn alone from its signal seed; no chunk size needed. */
  readonly draws?: 'signal';
  /** Drawn by chunk: signals per chunk; chunk k drew its signals from `chunkSeed(seed, k)`. */
  readonly chunkSize?: number;
  readonly mask: MaskSpec;
  readonly noise: NoiseSpec;
  /** A run measured through a Gaussian A (compressed sensing) has no pixel observation to redraw. */
  readonly measure?: MeasureSpec;
}

export interface ReconstructedSignal {
  /** The signal's global index in the run. */
  readonly index: number;
  /** The latent z it was drawn from (n₀). */
  readonly z: Float64Array;
  /** G(z), n numbers. */
  readonly truth: Float64Array;
  /** y: G(z) plus the noise, 0 at hidden pixels (as the methods received it). */
  readonly observed: Float64Array;
  /** 1 where the pixel was known; undefined when every pixel was. */
  readonly known?: Uint8Array;
  /** Per method given: G(ẑ) (n numbers) and its SNR against G(z) in dB, capped as the report caps it. */
  readonly methods: Partial<Record<MethodId, { readonly output: Float64Array; readonly snrImage: number }>>;
}

/**
 * Redraws signal `index` of an invert run as the job drew it — drawn by
 * signal: alone, from its signal seed (signalDraws.ts); drawn by chunk: its
 * chunk's latents from `chunkSeed(seed, k)`, noise from that seed + 1, mask
 * + 2, whole chunk at once since the draws run across the chunk — and feeds each
 * ẑ through G in a batch as wide as the chunk (ẑ in the signal's column,
 * zeros elsewhere: a column's product does not depend on the others), so
 * G(ẑ) and its SNR are the job's to the last bit.
 *
 * @param zHats per method, the signal's ẑ (n₀ numbers; null, JSON's non-finite, reads as NaN).
 * @throws RangeError when the index is outside the run or a ẑ has the wrong length.
 */
export function reconstructSignal(
  gen: Generator,
  draw: SignalDraw,
  index: number,
  zHats: Partial<Record<MethodId, ArrayLike<number | null>>>,
): ReconstructedSignal {
  if (draw.measure !== undefined && draw.measure.kind !== 'pixels')
    throw new RangeError(
      'this run measured y = A·G(z) through a Gaussian matrix: its observations are m mixtures, not an image to redraw',
    );
  const bySignal = draw.draws === 'signal';
  // Drawn by signal, the signal is a block of one.
  const chunkSize = bySignal ? 1 : draw.chunkSize;
  const total = draw.count;
  if (!(chunkSize !== undefined && Number.isInteger(chunkSize) && chunkSize >= 1))
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  if (!(Number.isInteger(index) && index >= 0 && index < total))
    throw new RangeError(`signal ${index} is not in the run (it has ${total})`);
  const k = Math.floor(index / chunkSize);
  const count = Math.min(chunkSize, total - k * chunkSize);
  const j = index - k * chunkSize;
  const seed = chunkSeed(draw.seed, k);
  const n0 = gen.inputDim;
  const z = bySignal
    ? signalLatents(n0, draw.seed, index, 1)
    : matrix(n0, count, createRng(seed).fillGaussian(new Float64Array(n0 * count)));
  const clean = forward(gen, z).output;
  const obs = bySignal ? observeSignals(clean, draw, index) : observe(clean, draw.noise, draw.mask, seed + 1);
  const n = clean.rows;
  const col = (data: Float64Array, rows: number) => {
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) out[i] = data[i * count + j];
    return out;
  };
  const truth = col(clean.data, n);
  let known: Uint8Array | undefined;
  if (obs.known !== undefined) {
    known = new Uint8Array(n);
    for (let i = 0; i < n; i++) known[i] = obs.known[i * count + j];
  }
  const methods: ReconstructedSignal['methods'] = {};
  for (const [method, zHat] of Object.entries(zHats) as [MethodId, ArrayLike<number | null>][]) {
    if (zHat.length !== n0) throw new RangeError(`ẑ of ${method} has ${zHat.length} numbers, the model takes ${n0}`);
    const batch = matrix(n0, count);
    for (let i = 0; i < n0; i++) batch.data[i * count + j] = zHat[i] ?? Number.NaN;
    const output = col(forward(gen, batch).output.data, n);
    methods[method] = { output, snrImage: Math.min(snrDb(output, truth), SNR_CAP_DB) };
  }
  return {
    index,
    z: col(z.data, n0),
    truth,
    observed: col(obs.y.data, n),
    ...(known !== undefined ? { known } : {}),
    methods,
  };
}
