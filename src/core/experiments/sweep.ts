/**
 * The `sweep` job: the paper's Fig. 2. Random generators
 * `random:n0,n1,n:tanh` over a grid of n1 × n0; at each grid point, `count`
 * signals inverted by every method and summarised as SNR quantiles per layer.
 * One chunk is one grid point, so the chunk holds the point's summary and the
 * merge only orders the points.
 */
import { column } from '../linalg/dense';
import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles } from '../metrics';
import { forward } from '../model/forward';
import { randomGaussianGenerator } from '../model/random';
import type { MethodOptions } from '../pursuit/methods';
import type { MethodId, ParameterChoice } from '../pursuit/types';
import { chunkSeed, invertChunk } from './invert';

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
}

/** The paper's n1 grid: 20 evenly spaced points from 50 to 1000 (50, 100, …, 1000). */
export const DEFAULT_SWEEP_N1: readonly number[] = Array.from({ length: 20 }, (_, i) =>
  Math.round(50 + (i * 950) / 19),
);
export const DEFAULT_SWEEP_N0: readonly number[] = [100, 200];

/** Number of chunks (grid points) of a sweep. */
export function sweepChunkCount(spec: SweepSpec): number {
  return spec.n0.length * spec.n1.length;
}

/** Grid point k: n0 is the outer loop, n1 the inner (the order of `points`). */
export function sweepPoint(spec: SweepSpec, k: number): { n0: number; n1: number } {
  const total = sweepChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the sweep has ${total} grid points)`);
  return { n0: spec.n0[Math.floor(k / spec.n1.length)], n1: spec.n1[k % spec.n1.length] };
}

const toQuantiles = (values: readonly number[]): Quantiles => {
  const [p10, p25, p50, p75, p90] = quantiles(values, [0.1, 0.25, 0.5, 0.75, 0.9]);
  return { p10, p25, p50, p75, p90 };
};

/**
 * Grid point k: the weights are drawn from `chunkSeed(seed, k)` (a new
 * network per point, as in the paper), the signals from that seed + 4 (the
 * invert block uses seed … seed + 3 for latents, noise, masks and GD starts,
 * so the weights' stream is apart from all of them).
 */
export function sweepChunk(spec: SweepSpec, k: number, now: () => number): SweepPoint {
  const { n0, n1 } = sweepPoint(spec, k);
  const weightSeed = chunkSeed(spec.seed, k);
  const signalSeed = weightSeed + 4;
  const gen = randomGaussianGenerator([n0, n1, spec.n], { kind: 'tanh' }, weightSeed);
  const steps = invertChunk(
    gen,
    {
      methods: spec.methods,
      count: spec.count,
      seed: signalSeed,
      mask: { kind: 'none' },
      noise: { kind: 'none' },
      successThreshold: spec.successThreshold,
      ...(spec.options !== undefined ? { options: spec.options } : {}),
      chunkSize: spec.count,
    },
    0,
    now,
  );
  let next = steps.next();
  while (!next.done) next = steps.next();
  const block = next.value;

  // The same latents invertChunk drew (chunk 0 of a one-chunk job keeps its seed; latents come first from it).
  const z = matrix(n0, spec.count, createRng(signalSeed).fillGaussian(new Float64Array(n0 * spec.count)));
  const x1 = forward(gen, z).hidden[0];
  const s1: number[] = [];
  for (let j = 0; j < spec.count; j++) {
    const col = column(x1, j);
    let s = 0;
    for (const v of col) if (v > 0) s++;
    s1.push(s);
  }
  // Theorem 2 for one hidden layer and every pixel known: s1 ≥ n0 and s_L = s1 < n.
  const pass = s1.filter((s) => s >= n0 && s < spec.n).length;

  const methods: Partial<Record<MethodId, SweepMethodPoint>> = {};
  for (const method of spec.methods) {
    const outcome = block.methods[method]!;
    const signals = outcome.signals;
    methods[method] = {
      successRate: signals.filter((s) => s.relErrZ < spec.successThreshold).length / signals.length,
      seconds: outcome.seconds,
      layers: {
        z: toQuantiles(signals.map((s) => s.snrZ)),
        x1: toQuantiles(signals.map((s) => s.snrLayers[0])),
        image: toQuantiles(signals.map((s) => s.snrImage)),
      },
      ...choiceCounts(signals.map((s) => s.choice)),
    };
  }
  return {
    n0,
    n1,
    medianS1: quantiles(s1, [0.5])[0],
    theorem2: { passFraction: pass / spec.count },
    methods,
  };
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

/** The sweep's result from its chunks given in chunk order (grid order: n0 outer, n1 inner). */
export function mergeSweepChunks(spec: SweepSpec, chunks: readonly SweepPoint[]): SweepResult {
  const total = sweepChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  return {
    kind: 'sweep',
    settings: {
      n0: [...spec.n0],
      n1: [...spec.n1],
      n: spec.n,
      count: spec.count,
      seed: spec.seed,
      methods: [...spec.methods],
      successThreshold: spec.successThreshold,
    },
    points: chunks.map((c) => ({ ...c })),
  };
}
