/**
 * The `sweep` job: the paper's Fig. 2. Random generators
 * `random:n0,n1,n:tanh` over a grid of n1 × n0; at each grid point, `count`
 * signals inverted by every method and summarised as SNR quantiles per layer.
 * A chunk is a block of one grid point's signals; the merge gathers each
 * point's blocks and summarises them.
 */
import { column } from '../linalg/dense';
import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles } from '../metrics';
import { forward } from '../model/forward';
import { randomGaussianGenerator } from '../model/random';
import type { MethodOptions } from '../pursuit/methods';
import type { HybridPath, MethodId, ParameterChoice } from '../pursuit/types';
import { chunkSeed, invertChunk, invertChunkRange } from './invert';

export interface Quantiles {
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

export interface SweepMethodPoint {
  successRate: number;
  seconds: number;
  layers: { z: Quantiles; x1: Quantiles; image: Quantiles };
  /**
   * With a grid protocol (GD's `stepGrid`, LBP's `lambdaGrid`): how many
   * signals got each grid value, in grid order, and how many met the rule.
   */
  choices?: { parameter: 'step' | 'lambda'; values: { value: number; signals: number }[]; met: number };
  /** The hybrid pursuit: signals per winning path (pursuit/hybrid.ts). */
  paths?: Partial<Record<HybridPath, number>>;
}

export interface SweepPoint {
  n0: number;
  n1: number;
  /** Median over the point's signals of s1, the active (positive) units of layer 1 of G(z). */
  medianS1: number;
  /** Signals whose true supports meet Theorem 2 (s1 ≥ n0, s1 < n). */
  theorem2: { passFraction: number };
  methods: Partial<Record<MethodId, SweepMethodPoint>>;
}

export interface SweepResult {
  kind: 'sweep';
  settings: {
    n0: number[];
    n1: number[];
    n: number;
    count: number;
    seed: number;
    methods: MethodId[];
    successThreshold: number;
    chunkSize: number;
  };
  points: SweepPoint[];
}

export interface SweepSpec {
  readonly n0: readonly number[];
  readonly n1: readonly number[];
  /** Output size. @default 625 (25 × 25, the paper's) */
  readonly n: number;
  /** Signals per grid point. @default 512 */
  readonly count: number;
  readonly seed: number;
  readonly methods: readonly MethodId[];
  /** @default 1e-3 */
  readonly successThreshold: number;
  readonly options?: MethodOptions;
  /**
   * Signals per chunk: a grid point is cut into blocks so that its signals
   * spread over every worker (the points' costs differ a hundredfold).
   * @default 64
   */
  readonly chunkSize: number;
}

/** Signals per sweep chunk unless the spec says otherwise. */
export const DEFAULT_SWEEP_CHUNK = 64;

/** The paper's n1 grid: 20 evenly spaced points from 50 to 1000 (50, 100, …, 1000). */
export const DEFAULT_SWEEP_N1: readonly number[] = Array.from({ length: 20 }, (_, i) =>
  Math.round(50 + (i * 950) / 19),
);
export const DEFAULT_SWEEP_N0: readonly number[] = [100, 200];

const blocksPerPoint = (spec: SweepSpec) => Math.ceil(spec.count / spec.chunkSize);

/** Number of chunks of a sweep: grid points × blocks of signals. */
export function sweepChunkCount(spec: SweepSpec): number {
  return spec.n0.length * spec.n1.length * blocksPerPoint(spec);
}

/**
 * Chunk k: grid point `point` (n0 the outer loop, n1 the inner: the order of
 * `points`), block `block` of its signals, signals [first, first + count).
 */
export function sweepChunkPlace(
  spec: SweepSpec,
  k: number,
): { point: number; n0: number; n1: number; block: number; first: number; count: number } {
  const total = sweepChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the sweep has ${total})`);
  const blocks = blocksPerPoint(spec);
  const point = Math.floor(k / blocks);
  const block = k % blocks;
  const first = block * spec.chunkSize;
  return {
    point,
    n0: spec.n0[Math.floor(point / spec.n1.length)],
    n1: spec.n1[point % spec.n1.length],
    block,
    first,
    count: Math.min(spec.chunkSize, spec.count - first),
  };
}

/**
 * A rough cost of chunk k, for scheduling only (the engine starts the
 * dearest chunks first so that no worker is left alone with a big one at the
 * end): every method's products scale with n1 · max(n1, n).
 */
export function sweepChunkCost(spec: SweepSpec, k: number): number {
  const { n0, n1, count } = sweepChunkPlace(spec, k);
  return count * n1 * Math.max(n1, spec.n, n0);
}

const toQuantiles = (values: readonly number[]): Quantiles => {
  const [p10, p25, p50, p75, p90] = quantiles(values, [0.1, 0.25, 0.5, 0.75, 0.9]);
  return { p10, p25, p50, p75, p90 };
};

/** One block of a grid point's signals: per signal what the point's summary is made of. */
export interface SweepBlock {
  readonly point: number;
  readonly block: number;
  /** Active (positive) units of layer 1 of G(z), per signal. */
  readonly s1: number[];
  readonly methods: Partial<
    Record<
      MethodId,
      {
        seconds: number;
        /** Signals with ‖ẑ − z‖/‖z‖ below the success threshold. */
        recovered: number;
        snrZ: number[];
        snrX1: number[];
        snrImage: number[];
        choices?: ParameterChoice[];
        paths?: HybridPath[];
      }
    >
  >;
}

/**
 * Chunk k: the point's weights are drawn from `chunkSeed(seed, point)` (a
 * new network per point, as in the paper), its signals from that seed + 4
 * (the invert block uses seed … seed + 3 for latents, noise, masks and GD
 * starts, so the weights' stream is apart from all of them), cut into the
 * invert job's blocks of `chunkSize`.
 */
export function sweepChunk(spec: SweepSpec, k: number, now: () => number): SweepBlock {
  const { point, n0, n1, block } = sweepChunkPlace(spec, k);
  const weightSeed = chunkSeed(spec.seed, point);
  const signalSeed = weightSeed + 4;
  const gen = randomGaussianGenerator([n0, n1, spec.n], { kind: 'tanh' }, weightSeed);
  const blockSpec = {
    methods: spec.methods,
    count: spec.count,
    seed: signalSeed,
    mask: { kind: 'none' },
    noise: { kind: 'none' },
    successThreshold: spec.successThreshold,
    ...(spec.options !== undefined ? { options: spec.options } : {}),
    chunkSize: spec.chunkSize,
  } as const;
  const steps = invertChunk(gen, blockSpec, block, now);
  let next = steps.next();
  while (!next.done) next = steps.next();
  const outcome = next.value;

  // The same latents invertChunk drew: they come first from the block's seed.
  const { count } = invertChunkRange(blockSpec, block);
  const zSeed = chunkSeed(signalSeed, block);
  const z = matrix(n0, count, createRng(zSeed).fillGaussian(new Float64Array(n0 * count)));
  const x1 = forward(gen, z).hidden[0];
  const s1: number[] = [];
  for (let j = 0; j < count; j++) {
    let s = 0;
    for (const v of column(x1, j)) if (v > 0) s++;
    s1.push(s);
  }
  const methods: SweepBlock['methods'] = {};
  for (const method of spec.methods) {
    const { seconds, signals } = outcome.methods[method]!;
    methods[method] = {
      seconds,
      recovered: signals.filter((s) => s.relErrZ < spec.successThreshold).length,
      snrZ: signals.map((s) => s.snrZ),
      snrX1: signals.map((s) => s.snrLayers[0]),
      snrImage: signals.map((s) => s.snrImage),
      ...(signals[0]?.choice !== undefined ? { choices: signals.map((s) => s.choice!) } : {}),
      ...(signals[0]?.path !== undefined ? { paths: signals.map((s) => s.path!.path) } : {}),
    };
  }
  return { point, block, s1, methods };
}

/** A grid point's summary from its blocks' signals. */
function sweepPointOf(spec: SweepSpec, point: number, blocks: readonly SweepBlock[]): SweepPoint {
  const { n0, n1 } = sweepChunkPlace(spec, point * blocksPerPoint(spec));
  const s1 = blocks.flatMap((b) => b.s1);
  // Theorem 2 for one hidden layer and every pixel known: s1 ≥ n0 and s_L = s1 < n.
  const pass = s1.filter((s) => s >= n0 && s < spec.n).length;
  const methods: Partial<Record<MethodId, SweepMethodPoint>> = {};
  for (const method of spec.methods) {
    const parts = blocks.map((b) => b.methods[method]!);
    const all = (key: 'snrZ' | 'snrX1' | 'snrImage') => parts.flatMap((p) => p[key]);
    methods[method] = {
      successRate: parts.reduce((a, p) => a + p.recovered, 0) / s1.length,
      seconds: parts.reduce((a, p) => a + p.seconds, 0),
      layers: { z: toQuantiles(all('snrZ')), x1: toQuantiles(all('snrX1')), image: toQuantiles(all('snrImage')) },
      ...choiceCounts(parts[0].choices === undefined ? [] : parts.flatMap((p) => p.choices!)),
      ...(parts[0].paths !== undefined ? { paths: pathCounts(parts.flatMap((p) => p.paths!)) } : {}),
    };
  }
  return {
    n0,
    n1,
    medianS1: quantiles(s1, [0.5])[0],
    theorem2: { passFraction: pass / s1.length },
    methods,
  };
}

function pathCounts(paths: readonly HybridPath[]): Partial<Record<HybridPath, number>> {
  const counts: Partial<Record<HybridPath, number>> = {};
  for (const p of paths) counts[p] = (counts[p] ?? 0) + 1;
  return counts;
}

/** Signals per chosen grid value (smallest value first), or nothing without a protocol. */
function choiceCounts(choices: readonly (ParameterChoice | undefined)[]): Pick<SweepMethodPoint, 'choices'> {
  if (choices.length === 0 || choices[0] === undefined) return {};
  const counts = new Map<number, number>();
  let met = 0;
  for (const c of choices as ParameterChoice[]) {
    counts.set(c.value, (counts.get(c.value) ?? 0) + 1);
    if (c.met) met++;
  }
  const values = [...counts].map(([value, signals]) => ({ value, signals })).sort((a, b) => a.value - b.value);
  return { choices: { parameter: choices[0].parameter, values, met } };
}

/**
 * What a sweep shows while it runs: the grid points whose blocks are all
 * finished (`chunks[k]` undefined for a chunk not done yet), in grid order.
 * Each shown point is exactly the one the finished sweep will have.
 */
export function partialSweep(spec: SweepSpec, chunks: readonly (SweepBlock | undefined)[]): SweepResult {
  const blocks = blocksPerPoint(spec);
  const points: SweepPoint[] = [];
  for (let p = 0; p * blocks < sweepChunkCount(spec); p++) {
    const mine = chunks.slice(p * blocks, (p + 1) * blocks);
    if (mine.length === blocks && mine.every((c) => c !== undefined)) points.push(sweepPointOf(spec, p, mine));
  }
  return { kind: 'sweep', settings: sweepSettings(spec), points };
}

/** The sweep's result from its chunks given in chunk order (grid order: n0 outer, n1 inner; blocks within). */
export function mergeSweepChunks(spec: SweepSpec, chunks: readonly SweepBlock[]): SweepResult {
  const total = sweepChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  const blocks = blocksPerPoint(spec);
  const points: SweepPoint[] = [];
  for (let p = 0; p * blocks < total; p++)
    points.push(sweepPointOf(spec, p, chunks.slice(p * blocks, (p + 1) * blocks)));
  return { kind: 'sweep', settings: sweepSettings(spec), points };
}

const sweepSettings = (spec: SweepSpec): SweepResult['settings'] => ({
  n0: [...spec.n0],
  n1: [...spec.n1],
  n: spec.n,
  count: spec.count,
  seed: spec.seed,
  methods: [...spec.methods],
  successThreshold: spec.successThreshold,
  chunkSize: spec.chunkSize,
});
