/**
 * Random draws made per signal, not per block: signal i of a run takes its
 * latent, noise, mask and gradient-descent starts from its own seed
 * `signalSeed(seed, i)`. Every method is column-independent given the
 * observations and the starts (each signal's iterations, stopping rule and
 * grid choice read only its own column), so with these draws a signal's
 * result is the same bits whichever block, chunk size or worker computes it.
 */
import { matrix, type Matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import type { Generator as Net } from '../model/generator';
import type { MeasureSpec } from '../model/measurement';
import { observe, type MaskSpec, type NoiseSpec, type Observation } from '../model/observation';
import { inversionSteps, type MethodOptions } from '../pursuit/methods';
import { selectColumns, selectSignals } from '../pursuit/protocol';
import type { InversionResult, MethodId, SignalReport, ParameterChoice } from '../pursuit/types';

const mix32 = (x: number) => {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
};

/**
 * A seed derived from a run's seed and an index (a chunk's, a signal's),
 * from these two alone. Index 0 keeps the run's seed. Others hash (seed, k)
 * into [0, 2^48), far from the small seeds people type, so k's seed + 1 … + 3
 * (noise, masks, GD starts) meet no other index's.
 */
export function indexSeed(seed: number, k: number): number {
  if (k === 0) return seed;
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  const a = mix32(lo ^ mix32(k + 0x9e3779b9));
  const b = mix32(hi ^ mix32(a + k));
  return a * 0x10000 + (b >>> 16);
}

/** Signal i's seed: its latent from it, noise from + 1, mask from + 2, GD starts from + 3. */
export const signalSeed = indexSeed;

/** What the observation of a signal depends on besides its seed. */
export interface SignalObservation {
  readonly seed: number;
  readonly noise: NoiseSpec;
  readonly mask: MaskSpec;
  /** A measurement matrix: the run's, the same for every signal (seeded by its own spec). */
  readonly measure?: MeasureSpec;
}

/** Latents of signals first … first + count − 1 (n₀ × count), each z ~ N(0, I) drawn alone from its signal seed. */
export function signalLatents(n0: number, seed: number, first: number, count: number): Matrix {
  const z = matrix(n0, count);
  const col = new Float64Array(n0);
  for (let j = 0; j < count; j++) {
    createRng(signalSeed(seed, first + j)).fillGaussian(col);
    for (let i = 0; i < n0; i++) z.data[i * count + j] = col[i];
  }
  return z;
}

/**
 * Observes each column of `clean` (signals first, first + 1, …) alone:
 * noise from its signal seed + 1, mask from + 2 (observe's seed + 1).
 */
export function observeSignals(clean: Matrix, draw: SignalObservation, first: number): Observation {
  const count = clean.cols;
  const one = matrix(clean.rows, 1);
  const parts: Observation[] = [];
  for (let j = 0; j < count; j++) {
    for (let i = 0; i < clean.rows; i++) one.data[i] = clean.data[i * count + j];
    parts.push(observe(one, draw.noise, draw.mask, signalSeed(draw.seed, first + j) + 1, draw.measure));
  }
  // Under A the observations have A's m rows; A itself is the run's (measurementMatrix caches it).
  const n = parts[0]?.y.rows ?? clean.rows;
  const y = matrix(n, count);
  const known = draw.mask.kind === 'none' ? undefined : new Uint8Array(n * count);
  parts.forEach((obs, j) => {
    for (let i = 0; i < n; i++) y.data[i * count + j] = obs.y.data[i];
    if (known !== undefined && obs.known !== undefined) for (let i = 0; i < n; i++) known[i * count + j] = obs.known[i];
  });
  const A = parts[0]?.A;
  if (A !== undefined && draw.measure !== undefined)
    return { y, noise: draw.noise, mask: draw.mask, measure: draw.measure, A };
  return known === undefined
    ? { y, noise: draw.noise, mask: draw.mask }
    : { y, known, noise: draw.noise, mask: draw.mask };
}

/**
 * GD's (or Adam's) seed for signal i: its signal seed + 3, or, when the
 * options give a seed, that seed's signal seed (a start must not be the
 * latent's draw: seeded alike, it would equal z).
 */
const startSeed = (runSeed: number, given: number | undefined, i: number) =>
  given === undefined ? signalSeed(runSeed, i) + 3 : signalSeed(given, i);

/** The options key of each method that draws random numbers. */
const DESCENT_OPTIONS = { gd: 'gd', adam: 'adam', 'gd-clip': 'gdClip' } as const;

/**
 * Runs `method` on the signals of `obs` (signals first, first + 1, …) as if
 * each ran alone. For GD and Adam that fixes the random starts per signal:
 * with one start (the default), its start, drawn alone from the signal's
 * GD seed exactly as a one-signal run draws it, is handed to the batch as
 * `init`, so the batch keeps its speed; with restarts, each signal runs by
 * itself (a batch draws restart noise across its signals), and so does
 * gd-clip always (its clipping redraws as it iterates); the hybrid draws
 * its starts from per-signal seeds (`signalSeeds`). Other methods draw
 * nothing and run as one batch. An `init` in the options is used as given.
 */
export function* signalwiseSteps(
  gen: Net,
  obs: Observation,
  method: MethodId,
  options: MethodOptions,
  runSeed: number,
  first: number,
  truth?: readonly Matrix[],
): Generator<number, InversionResult, void> {
  if (method === 'hybrid') {
    // Its random starts drawn per signal, from the signal's GD seed (as a one-signal gd run's).
    const own = options.hybrid ?? {};
    const signalSeeds = Array.from({ length: obs.y.cols }, (_, j) => startSeed(runSeed, own.seed, first + j));
    return yield* inversionSteps(gen, obs, method, { ...options, hybrid: { ...own, signalSeeds } }, truth);
  }
  if (method !== 'gd' && method !== 'adam' && method !== 'gd-clip')
    return yield* inversionSteps(gen, obs, method, options, truth);
  const key = DESCENT_OPTIONS[method];
  const own = options[key] ?? {};
  // gd-clip redraws clipped components from its generator while it iterates: always one signal at a time.
  if (own.init !== undefined && method !== 'gd-clip') return yield* inversionSteps(gen, obs, method, options, truth);
  const n0 = gen.inputDim;
  const count = obs.y.cols;
  const seedOf = (j: number) => startSeed(runSeed, own.seed, first + j);
  if ((own.restarts ?? 1) === 1 && method !== 'gd-clip') {
    const init = matrix(n0, count);
    const col = new Float64Array(n0);
    for (let j = 0; j < count; j++) {
      createRng(seedOf(j)).fillGaussian(col);
      for (let i = 0; i < n0; i++) init.data[i * count + j] = col[i];
    }
    return yield* inversionSteps(gen, obs, method, { ...options, [key]: { ...own, init } }, truth);
  }
  const parts: InversionResult[] = [];
  for (let j = 0; j < count; j++) {
    const steps = inversionSteps(gen, selectSignals(obs, [j]), method, {
      ...options,
      [key]: { ...own, seed: seedOf(j), ...(own.init !== undefined ? { init: selectColumns(own.init, [j]) } : {}) },
    });
    let next = steps.next();
    while (!next.done) {
      yield (j + next.value) / count;
      next = steps.next();
    }
    parts.push(next.value);
  }
  return joinColumns(parts);
}

/** One-signal results side by side, as one batch's result. */
function joinColumns(parts: readonly InversionResult[]): InversionResult {
  const count = parts.length;
  const join = (pick: (r: InversionResult) => Matrix) => {
    const rows = pick(parts[0]).rows;
    const out = matrix(rows, count);
    parts.forEach((r, j) => {
      const m = pick(r);
      for (let i = 0; i < rows; i++) out.data[i * count + j] = m.data[i];
    });
    return out;
  };
  const choices = parts.every((r) => r.choices !== undefined)
    ? parts.map((r) => (r.choices as ParameterChoice[])[0])
    : undefined;
  return {
    ...parts[0],
    z: join((r) => r.z),
    layers: parts[0].layers.map((_, l) => join((r) => r.layers[l])),
    signals: parts.map((r) => r.signals[0] as SignalReport),
    ...(choices !== undefined ? { choices } : {}),
  };
}
