/**
 * The `sensing` job: compressed sensing in the setting of Bora et al. (2017),
 * y = A·G(z) + e with A an m × n Gaussian matrix (model/measurement.ts), over
 * a grid of m. At every m the same `count` signals (drawn from `seed`) are
 * measured by A (drawn from `measureSeed` and m) and inverted by every
 * method; per method the success rate, the rate of Theorem 1 certificates
 * restated for A (theory/certificate.ts) and the SNR spread of ẑ and G(ẑ).
 * Chunk k is one block of `chunkSize` signals at one m.
 */
import { column } from '../linalg/dense';
import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles } from '../metrics';
import { forward } from '../model/forward';
import type { Generator as Net } from '../model/generator';
import type { NoiseSpec } from '../model/observation';
import type { MethodOptions } from '../pursuit/methods';
import type { MethodId } from '../pursuit/types';
import { chunkSeed, invertChunk, type InvertJobSpec } from './invert';
import type { Spread } from './noise';

export interface SensingSpec {
  /** Measurement counts m, each a grid point. */
  readonly m: readonly number[];
  /** @default ["lp", "gd", "oracle-e2e"] */
  readonly methods: readonly MethodId[];
  /** Signals per m (the same signals at every m). @default 64 */
  readonly count: number;
  /** Seeds the signals (as an invert job's: latents, noise + 1, GD starts + 3). */
  readonly seed: number;
  /** Seeds A: at m, A is `gaussian:m:measureSeed`. @default seed + 7 */
  readonly measureSeed: number;
  /** Noise e on the m measurements. @default none */
  readonly noise: NoiseSpec;
  /** @default 1e-3 */
  readonly successThreshold: number;
  readonly options?: MethodOptions;
  /** @default 16 */
  readonly chunkSize: number;
}

export interface SensingMethodPoint {
  successRate: number;
  /** Signals whose ẑ has Theorem 1's certificate restated for A. */
  certifiedRate: number;
  seconds: number;
  snrZ: Spread;
  snrImage: Spread;
}

export interface SensingPoint {
  m: number;
  methods: Partial<Record<MethodId, SensingMethodPoint>>;
}

export interface SensingResult {
  kind: 'sensing';
  settings: {
    m: number[];
    methods: MethodId[];
    count: number;
    seed: number;
    measureSeed: number;
    noise: NoiseSpec;
    successThreshold: number;
    chunkSize: number;
    /** n₀ and n of the model, and the median over the signals of s_L (active units of the last hidden layer of G(z)). */
    n0: number;
    n: number;
    medianSL: number;
  };
  points: SensingPoint[];
}

/** One block of signals at one m. */
export interface SensingBlock {
  readonly point: number;
  readonly block: number;
  /** s_L of each signal's truth (the same at every m; kept so the merge needs no model). */
  readonly sL: number[];
  readonly n0: number;
  readonly n: number;
  readonly methods: Partial<
    Record<MethodId, { seconds: number; recovered: number; certified: number; snrZ: number[]; snrImage: number[] }>
  >;
}

export const DEFAULT_SENSING_CHUNK = 16;

const blocksPerPoint = (spec: SensingSpec) => Math.ceil(spec.count / spec.chunkSize);

export function sensingChunkCount(spec: SensingSpec): number {
  return spec.m.length * blocksPerPoint(spec);
}

/** Chunk k: grid point `point` (m), block `block` of its signals. */
export function sensingChunkPlace(spec: SensingSpec, k: number): { point: number; m: number; block: number } {
  const total = sensingChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the job has ${total})`);
  const blocks = blocksPerPoint(spec);
  const point = Math.floor(k / blocks);
  return { point, m: spec.m[point], block: k % blocks };
}

/** The invert job that chunk k is a block of: the same signals at every m, A from (m, measureSeed). */
function invertSpecAt(spec: SensingSpec, m: number): InvertJobSpec {
  return {
    methods: spec.methods,
    count: spec.count,
    seed: spec.seed,
    mask: { kind: 'none' },
    noise: spec.noise,
    measure: { kind: 'gaussian', m, seed: spec.measureSeed },
    successThreshold: spec.successThreshold,
    certify: true,
    ...(spec.options !== undefined ? { options: spec.options } : {}),
    chunkSize: spec.chunkSize,
  };
}

export function sensingChunk(gen: Net, spec: SensingSpec, k: number, now: () => number): SensingBlock {
  const { point, m, block } = sensingChunkPlace(spec, k);
  const inv = invertSpecAt(spec, m);
  const steps = invertChunk(gen, inv, block, now);
  let next = steps.next();
  while (!next.done) next = steps.next();
  const outcome = next.value;
  // The block's latents, as invertChunk drew them (first from the block's seed), for s_L.
  const count = Math.min(spec.chunkSize, spec.count - block * spec.chunkSize);
  const n0 = gen.inputDim;
  const z = matrix(n0, count, createRng(chunkSeed(spec.seed, block)).fillGaussian(new Float64Array(n0 * count)));
  const hidden = forward(gen, z).hidden;
  const last = hidden[hidden.length - 1];
  const sL = Array.from({ length: count }, (_, j) => column(last, j).filter((v) => v > 0).length);
  const methods: SensingBlock['methods'] = {};
  for (const method of spec.methods) {
    const { seconds, signals } = outcome.methods[method]!;
    methods[method] = {
      seconds,
      recovered: signals.filter((s) => s.relErrZ < spec.successThreshold).length,
      certified: signals.filter((s) => s.certificate?.certified === true).length,
      snrZ: signals.map((s) => s.snrZ),
      snrImage: signals.map((s) => s.snrImage),
    };
  }
  return { point, block, sL, n0, n: gen.layers[gen.layers.length - 1].W.rows, methods };
}

const spread = (values: readonly number[]): Spread => {
  const [p10, p50, p90] = quantiles(values, [0.1, 0.5, 0.9]);
  return { p10, p50, p90 };
};

/** The job's result from its chunks in chunk order (m outer, blocks inner). */
export function mergeSensingChunks(spec: SensingSpec, chunks: readonly SensingBlock[]): SensingResult {
  const total = sensingChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  const blocks = blocksPerPoint(spec);
  const points: SensingPoint[] = spec.m.map((m, p) => {
    const mine = chunks.slice(p * blocks, (p + 1) * blocks);
    const methods: SensingPoint['methods'] = {};
    for (const method of spec.methods) {
      const parts = mine.map((b) => b.methods[method]!);
      const sum = (key: 'recovered' | 'certified' | 'seconds') => parts.reduce((a, q) => a + q[key], 0);
      methods[method] = {
        successRate: sum('recovered') / spec.count,
        certifiedRate: sum('certified') / spec.count,
        seconds: sum('seconds'),
        snrZ: spread(parts.flatMap((q) => q.snrZ)),
        snrImage: spread(parts.flatMap((q) => q.snrImage)),
      };
    }
    return { m, methods };
  });
  // Every m draws the same signals: the first point's blocks give s_L.
  const first = chunks.slice(0, blocks);
  return {
    kind: 'sensing',
    settings: {
      m: [...spec.m],
      methods: [...spec.methods],
      count: spec.count,
      seed: spec.seed,
      measureSeed: spec.measureSeed,
      noise: spec.noise,
      successThreshold: spec.successThreshold,
      chunkSize: spec.chunkSize,
      n0: first[0].n0,
      n: first[0].n,
      medianSL: quantiles(
        first.flatMap((b) => b.sL),
        [0.5],
      )[0],
    },
    points,
  };
}
