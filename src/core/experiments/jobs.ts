/**
 * Experiments as jobs: a spec (what a user writes in spec.json), cut into
 * independent chunks, each computed from the spec and its index alone, and
 * merged in chunk order into the report of the one-pass experiment. Pure:
 * the engine that runs chunks on worker threads and keeps them on disk is
 * src/main/services/jobs/.
 */
import type { Generator } from '../model/generator';
import { checkMeasure, parseMeasure, type MeasureSpec } from '../model/measurement';
import { imageSide, parseMask, type MaskSpec, type NoiseSpec } from '../model/observation';
import { PIXELWISE, type MethodOptions } from '../pursuit/methods';
import { METHOD_IDS, type MethodId } from '../pursuit/types';
import {
  checkChunk,
  checkChunkCount,
  checkChunkRange,
  DEFAULT_CHECK_CHUNK,
  mergeCheckChunks,
  type CheckBlock,
  type CheckReport,
  type CheckSpec,
} from './check';
import {
  DEFAULT_INVERT_CHUNK,
  invertChunk,
  invertChunkCount,
  invertChunkRange,
  mergeInvertChunks,
  type InvertBlock,
  type InvertDraws,
  type InvertJobSpec,
  type InvertReport,
} from './invert';
import {
  DEFAULT_NOISE_SIGMAS,
  mergeNoiseChunks,
  noiseChunk,
  partialNoise,
  noiseChunkCount,
  type NoiseChunk,
  type NoiseResult,
  type NoiseSpec as NoiseJobSpec,
} from './noise';
import {
  checkProjectSpec,
  DEFAULT_OFF_RANGE_THRESHOLD,
  DEFAULT_PROJECT_CHUNK,
  DEFAULT_PROJECT_METHODS,
  mergeProjectChunks,
  projectChunk,
  projectChunkCount,
  projectChunkRange,
  type ProjectBlock,
  type ProjectInput,
  type ProjectResult,
  type ProjectSpec,
} from './project';
import {
  DEFAULT_SWEEP_CHUNK,
  DEFAULT_SWEEP_N0,
  DEFAULT_SWEEP_N1,
  mergeSweepChunks,
  partialSweep,
  sweepChunk,
  sweepChunkCost,
  sweepChunkCount,
  sweepChunkPlace,
  type SweepBlock,
  type SweepResult,
  type SweepSpec,
} from './sweep';
import {
  DEFAULT_SENSING_CHUNK,
  mergeSensingChunks,
  sensingChunk,
  sensingChunkCount,
  sensingChunkPlace,
  type SensingBlock,
  type SensingResult,
  type SensingSpec,
} from './sensing';
import {
  mergeTrainedChunks,
  trainedChunk,
  trainedChunkCount,
  trainedChunkPlace,
  trainedRowsMask,
  TRAINED_SETTINGS,
  type TrainedResult,
  type TrainedSpec,
} from './trained';

/** A job as the engine runs it: every default filled in, so spec.json alone reproduces it. */
export type JobSpec =
  | ({ readonly kind: 'invert'; readonly model: string } & InvertJobSpec & { readonly chunkSize: number })
  | ({ readonly kind: 'check'; readonly model: string } & CheckSpec & { readonly chunkSize: number })
  /**
   * `model` is the first grid point's generator, for the engine's record:
   * each chunk draws its own `random:n0,n1,n:tanh` (sweep.ts).
   */
  | ({ readonly kind: 'sweep'; readonly model: string } & SweepSpec)
  | ({ readonly kind: 'trained'; readonly model: string } & TrainedSpec)
  | ({ readonly kind: 'noise'; readonly model: string } & NoiseJobSpec)
  | ({ readonly kind: 'project'; readonly model: string } & ProjectSpec)
  | ({ readonly kind: 'sensing'; readonly model: string } & SensingSpec);

export type JobKind = JobSpec['kind'];
export const JOB_KINDS: readonly JobKind[] = ['invert', 'check', 'sweep', 'trained', 'noise', 'project', 'sensing'];

export type ChunkResult = InvertBlock | CheckBlock | SweepBlock | NoiseChunk | ProjectBlock | SensingBlock;
export type JobReport =
  InvertReport | CheckReport | SweepResult | TrainedResult | NoiseResult | ProjectResult | SensingResult;

type Raw = Record<string, unknown>;

const KEYS: Record<JobKind, readonly string[]> = {
  invert: [
    'kind',
    'model',
    'methods',
    'count',
    'seed',
    'mask',
    'noise',
    'measure',
    'successThreshold',
    'certify',
    'options',
    'chunkSize',
    'draws',
  ],
  check: ['kind', 'model', 'samples', 'seed', 'noise', 'saturationTolerance', 'chunkSize'],
  sweep: ['kind', 'model', 'n0', 'n1', 'n', 'count', 'seed', 'methods', 'successThreshold', 'options', 'chunkSize'],
  trained: ['kind', 'model', 'methods', 'count', 'seed', 'successThreshold', 'options', 'chunkSize'],
  noise: ['kind', 'model', 'sigmas', 'methods', 'count', 'seed', 'successThreshold', 'options', 'boundSignals'],
  project: [
    'kind',
    'model',
    'methods',
    'signals',
    'hidden',
    'input',
    'mask',
    'seed',
    'offRangeThreshold',
    'options',
    'chunkSize',
  ],
  sensing: [
    'kind',
    'model',
    'm',
    'methods',
    'count',
    'seed',
    'measureSeed',
    'noise',
    'successThreshold',
    'options',
    'chunkSize',
  ],
};

/** Default methods per kind (the paper's figures). */
const DEFAULT_METHODS: Record<JobKind, readonly MethodId[]> = {
  invert: ['lp'],
  check: [],
  sweep: ['lp', 'lbp', 'gd'],
  trained: ['lp', 'lbp', 'oracle', 'gd'],
  noise: ['lp', 'lbp', 'oracle-e2e'],
  project: DEFAULT_PROJECT_METHODS,
  sensing: ['lp', 'gd', 'oracle-e2e'],
};

function methodList(o: Raw, kind: JobKind): MethodId[] {
  const methods = o.methods ?? DEFAULT_METHODS[kind];
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => METHOD_IDS.includes(m as MethodId)))
    throw new RangeError(
      `"methods" must be a non-empty list of ${METHOD_IDS.join(', ')}, got ${JSON.stringify(methods)}`,
    );
  if (new Set(methods).size !== methods.length)
    throw new RangeError(`"methods" lists a method twice: ${JSON.stringify(methods)}`);
  return methods as MethodId[];
}

function methodOptions(o: Raw): { options?: MethodOptions } {
  if (o.options === undefined) return {};
  if (typeof o.options !== 'object' || o.options === null || Array.isArray(o.options))
    throw new RangeError('"options" must be an object: {"lp": {…}, "lbp": {…}, "gd": {…}, …} as MethodOptions');
  return { options: o.options as MethodOptions };
}

function integerList(o: Raw, key: string, fallback: readonly number[], min: number, max: number): number[] {
  const v = o[key] ?? fallback;
  if (!(Array.isArray(v) && v.length > 0 && v.every((x) => Number.isSafeInteger(x) && x >= min && x <= max)))
    throw new RangeError(
      `"${key}" must be a non-empty list of integers from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  return [...(v as number[])];
}

function positiveList(o: Raw, key: string, fallback: readonly number[]): number[] {
  const v = o[key] ?? fallback;
  if (!(Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)))
    throw new RangeError(`"${key}" must be a non-empty list of numbers > 0, got ${JSON.stringify(v)}`);
  return [...(v as number[])];
}

/**
 * Refuses a job its model cannot run, before any chunk: a trained job's
 * `rows` setting, and an invert job's rows mask, need a square image that holds the rows.
 * @throws RangeError saying why.
 */
export function checkJobModel(spec: JobSpec, gen: Generator): void {
  if (spec.kind === 'trained') trainedRowsMask(gen.layers[gen.layers.length - 1].W.rows);
  if (spec.kind === 'invert' && spec.mask.kind === 'rows')
    imageSide(gen.layers[gen.layers.length - 1].W.rows, spec.mask);
  if (spec.kind === 'project') checkProjectSpec(spec, gen.layers[gen.layers.length - 1].W.rows);
  const measured = spec.kind === 'sensing' || (spec.kind === 'invert' && spec.measure?.kind === 'gaussian');
  // The same refusal the methods give (pursuit/methods.ts), before any chunk runs.
  if (measured && gen.output.kind !== 'identity') {
    const pixelwise = spec.methods.filter((m) => PIXELWISE.includes(m));
    if (pixelwise.length > 0)
      throw new RangeError(
        `method ${pixelwise[0]} does not support a measurement matrix with φ = ${gen.output.kind}: it solves on φ⁻¹(y) pixel by pixel (it runs under A only where φ is the identity)`,
      );
  }
}

function signalList(o: Raw): number[][] {
  const v = o.signals;
  if (!Array.isArray(v) || v.length === 0)
    throw new RangeError('"signals" must be a non-empty list of signals, each a list of numbers');
  v.forEach((s, j) => {
    if (!Array.isArray(s) || s.length === 0 || !s.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw new RangeError(`"signals"[${j}] must be a non-empty list of finite numbers`);
  });
  return v as number[][];
}

function inputRecord(o: Raw, key: string): { [k: string]: ProjectInput } {
  const v = o[key];
  if (v === undefined) return {};
  const r = v as Raw;
  if (
    typeof v !== 'object' ||
    v === null ||
    Array.isArray(v) ||
    typeof r.file !== 'string' ||
    typeof r.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(r.sha256) ||
    typeof r.format !== 'string'
  )
    throw new RangeError(`"${key}" records a file: {"file": NAME, "sha256": 64 hex digits, "format": …, …}`);
  return { [key]: v as ProjectInput };
}

function integer(raw: Raw, key: string, fallback: number, min: number): number {
  const v = raw[key] ?? fallback;
  if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= min))
    throw new RangeError(`"${key}" must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function nonNegative(raw: Raw, key: string): number | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0))
    throw new RangeError(`"${key}" must be a number ≥ 0, got ${JSON.stringify(v)}`);
  return v;
}

function noiseSpec(v: unknown): NoiseSpec {
  if (v === undefined || v === 0) return { kind: 'none' };
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return { kind: 'gaussian', sigma: v };
  if (typeof v === 'object' && v !== null) {
    const o = v as Raw;
    if (o.kind === 'none') return { kind: 'none' };
    if (o.kind === 'gaussian' && typeof o.sigma === 'number' && o.sigma >= 0)
      return { kind: 'gaussian', sigma: o.sigma };
    if (o.kind === 'bounded' && typeof o.epsilon === 'number' && o.epsilon >= 0)
      return { kind: 'bounded', epsilon: o.epsilon };
  }
  throw new RangeError(
    `"noise" must be σ ≥ 0, or {"kind": "gaussian", "sigma": σ} or {"kind": "bounded", "epsilon": ε}, got ${JSON.stringify(v)}`,
  );
}

/** `"pixels"`, `"gaussian:M[:SEED]"` or {"kind": "gaussian", "m": M, "seed": S}; A's seed defaults to the job's. */
function measureSpec(v: unknown, seed: number): MeasureSpec | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return parseMeasure(v, seed);
  if (typeof v === 'object' && v !== null) {
    const o = v as Raw;
    if (o.kind === 'pixels') return { kind: 'pixels' };
    if (o.kind === 'gaussian' && typeof o.m === 'number')
      return checkMeasure({ kind: 'gaussian', m: o.m, seed: typeof o.seed === 'number' ? o.seed : seed });
  }
  throw new RangeError(
    `"measure" must be "pixels", "gaussian:M", "gaussian:M:SEED" or {"kind": "gaussian", "m": M, "seed": S}, got ${JSON.stringify(v)}`,
  );
}

function maskSpec(v: unknown): MaskSpec {
  if (v === undefined) return { kind: 'none' };
  if (typeof v === 'string') return parseMask(v);
  if (typeof v === 'object' && v !== null && typeof (v as Raw).kind === 'string') {
    const o = v as Raw;
    const text =
      o.kind === 'random' ? `random:${String(o.fraction)}` : o.kind === 'rows' ? `rows:${o.from}-${o.to}` : 'none';
    if (o.kind === 'none' || o.kind === 'random' || o.kind === 'rows') return parseMask(text);
  }
  throw new RangeError(`"mask" must be "none", "random:FRACTION" or "rows:FROM-TO", got ${JSON.stringify(v)}`);
}

/**
 * An invert job's draws: by signal unless the spec says `chunk` (how invert
 * jobs drew before; a run folder's spec.json without the field is read so),
 * so its result does not depend on its chunk size.
 */
function invertDraws(v: unknown): InvertDraws {
  if (v === undefined || v === 'signal') return 'signal';
  if (v === 'chunk') return 'chunk';
  throw new RangeError(`"draws" must be "signal" or "chunk", got ${JSON.stringify(v)}`);
}

/**
 * Reads a job spec as a user wrote it (parsed JSON) and fills in every
 * default. Unknown keys are refused, so a typo is never silently ignored.
 * @throws RangeError whose message names the field and what it must be.
 */
export function normalizeJobSpec(raw: unknown): JobSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RangeError('a job spec is a JSON object with "kind" and "model"');
  const o = raw as Raw;
  const kind = o.kind;
  if (!JOB_KINDS.includes(kind as JobKind))
    throw new RangeError(`"kind" must be one of ${JOB_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  const unknown = Object.keys(o).filter((key) => !KEYS[kind as JobKind].includes(key));
  if (unknown.length > 0)
    throw new RangeError(
      `unknown field(s) for a ${String(kind)} job: ${unknown.join(', ')} (known: ${KEYS[kind as JobKind].join(', ')})`,
    );
  const seed = integer(o, 'seed', 0, 0);
  if (kind === 'sweep') {
    const n0 = integerList(o, 'n0', DEFAULT_SWEEP_N0, 1, 100_000);
    const n1 = integerList(o, 'n1', DEFAULT_SWEEP_N1, 1, 100_000);
    const n = integer(o, 'n', 625, 1);
    // The generators are drawn per grid point; the model field only records the first one, so it is derived.
    const model = `random:${n0[0]},${n1[0]},${n}:tanh`;
    if (o.model !== undefined && o.model !== model)
      throw new RangeError(
        `a sweep draws its own random:n0,n1,n:tanh models; leave "model" out (got ${JSON.stringify(o.model)})`,
      );
    return {
      kind,
      model,
      n0,
      n1,
      n,
      count: integer(o, 'count', 512, 1),
      seed,
      methods: methodList(o, kind),
      successThreshold: nonNegative(o, 'successThreshold') ?? 1e-3,
      ...methodOptions(o),
      chunkSize: integer(o, 'chunkSize', DEFAULT_SWEEP_CHUNK, 1),
    };
  }
  if (typeof o.model !== 'string' || o.model === '')
    throw new RangeError('"model" must be a model file path or a random:… spec');
  if (kind === 'trained') {
    const spec = {
      kind,
      model: o.model,
      methods: methodList(o, kind),
      count: integer(o, 'count', 512, 1),
      seed,
      successThreshold: nonNegative(o, 'successThreshold') ?? 1e-3,
      ...methodOptions(o),
      chunkSize: integer(o, 'chunkSize', DEFAULT_INVERT_CHUNK, 1),
    } as const;
    trainedChunkCount(spec);
    return spec;
  }
  if (kind === 'project') {
    const hidden =
      o.hidden === undefined || (Array.isArray(o.hidden) && o.hidden.length === 0)
        ? undefined
        : integerList(o, 'hidden', [], 0, Number.MAX_SAFE_INTEGER);
    const spec = {
      kind,
      model: o.model,
      methods: methodList(o, kind),
      signals: signalList(o),
      ...(hidden !== undefined ? { hidden } : {}),
      ...inputRecord(o, 'input'),
      ...inputRecord(o, 'mask'),
      seed,
      offRangeThreshold: nonNegative(o, 'offRangeThreshold') ?? DEFAULT_OFF_RANGE_THRESHOLD,
      ...methodOptions(o),
      chunkSize: integer(o, 'chunkSize', DEFAULT_PROJECT_CHUNK, 1),
    } as const;
    checkProjectSpec(spec);
    return spec;
  }
  if (kind === 'noise')
    return {
      kind,
      model: o.model,
      sigmas: positiveList(o, 'sigmas', DEFAULT_NOISE_SIGMAS),
      methods: methodList(o, kind),
      count: integer(o, 'count', 128, 1),
      seed,
      successThreshold: nonNegative(o, 'successThreshold') ?? 1e-3,
      ...methodOptions(o),
      boundSignals: integer(o, 'boundSignals', 16, 0),
    };
  if (kind === 'sensing') {
    const spec = {
      kind,
      model: o.model,
      m: integerList(o, 'm', [], 1, 10_000_000),
      methods: methodList(o, kind),
      count: integer(o, 'count', 64, 1),
      seed,
      measureSeed: integer(o, 'measureSeed', seed + 7, 0),
      noise: noiseSpec(o.noise),
      successThreshold: nonNegative(o, 'successThreshold') ?? 1e-3,
      ...methodOptions(o),
      chunkSize: integer(o, 'chunkSize', DEFAULT_SENSING_CHUNK, 1),
    } as const;
    sensingChunkCount(spec);
    return spec;
  }
  if (kind === 'check') {
    const spec = {
      kind,
      model: o.model,
      samples: integer(o, 'samples', 256, 1),
      seed,
      noise: nonNegative(o, 'noise') ?? 0,
      ...(o.saturationTolerance !== undefined ? { saturationTolerance: nonNegative(o, 'saturationTolerance') } : {}),
      chunkSize: integer(o, 'chunkSize', DEFAULT_CHECK_CHUNK, 1),
    } as const;
    checkChunkCount(spec);
    return spec;
  }
  const methods = o.methods ?? ['lp'];
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => METHOD_IDS.includes(m as MethodId)))
    throw new RangeError(
      `"methods" must be a non-empty list of ${METHOD_IDS.join(', ')}, got ${JSON.stringify(methods)}`,
    );
  if (o.options !== undefined && (typeof o.options !== 'object' || o.options === null || Array.isArray(o.options)))
    throw new RangeError('"options" must be an object: {"lp": {…}, "lbp": {…}, "gd": {…}, …} as MethodOptions');
  const spec = {
    kind: 'invert' as const,
    model: o.model,
    methods: methods as MethodId[],
    count: integer(o, 'count', 64, 1),
    seed,
    mask: maskSpec(o.mask),
    noise: noiseSpec(o.noise),
    ...((measure) => (measure !== undefined && measure.kind !== 'pixels' ? { measure } : {}))(
      measureSpec(o.measure, seed),
    ),
    successThreshold: nonNegative(o, 'successThreshold') ?? 1e-3,
    certify: o.certify === true,
    options: (o.options ?? {}) as MethodOptions,
    chunkSize: integer(o, 'chunkSize', DEFAULT_INVERT_CHUNK, 1),
    draws: invertDraws(o.draws),
  } as const;
  invertChunkCount(spec);
  return spec;
}

/** Number of chunks of a job. */
export function chunkCount(spec: JobSpec): number {
  switch (spec.kind) {
    case 'invert':
      return invertChunkCount(spec);
    case 'check':
      return checkChunkCount(spec);
    case 'sweep':
      return sweepChunkCount(spec);
    case 'trained':
      return trainedChunkCount(spec);
    case 'noise':
      return noiseChunkCount(spec);
    case 'project':
      return projectChunkCount(spec);
    case 'sensing':
      return sensingChunkCount(spec);
  }
}

/**
 * What chunk k is, in words and numbers, for an error message that lets a
 * user reproduce it: the kind, its signals and the setting.
 */
export function chunkSettings(spec: JobSpec, k: number): Record<string, unknown> {
  if (spec.kind === 'sweep') {
    const { n0, n1, first, count } = sweepChunkPlace(spec, k);
    return { chunk: k, n0, n1, signals: [first, first + count], methods: spec.methods, seed: spec.seed };
  }
  if (spec.kind === 'trained') {
    const { setting, block } = trainedChunkPlace(spec, k);
    const first = block * spec.chunkSize;
    return {
      chunk: k,
      setting: TRAINED_SETTINGS[setting],
      signals: [first, Math.min(first + spec.chunkSize, spec.count)],
      methods: spec.methods,
      seed: spec.seed,
    };
  }
  if (spec.kind === 'noise')
    return k < spec.sigmas.length
      ? { chunk: k, sigma: spec.sigmas[k], count: spec.count, methods: spec.methods, seed: spec.seed }
      : { chunk: k, theorem4: true, signals: Math.min(spec.boundSignals, spec.count), seed: spec.seed };
  if (spec.kind === 'sensing') {
    const { m, block } = sensingChunkPlace(spec, k);
    const first = block * spec.chunkSize;
    return {
      chunk: k,
      m,
      measureSeed: spec.measureSeed,
      signals: [first, Math.min(first + spec.chunkSize, spec.count)],
      methods: spec.methods,
      seed: spec.seed,
    };
  }
  if (spec.kind === 'project') {
    const { first, count } = projectChunkRange(spec, k);
    return { chunk: k, signals: [first, first + count], methods: spec.methods, seed: spec.seed };
  }
  if (spec.kind === 'invert') {
    const { first, count } = invertChunkRange(spec, k);
    return {
      chunk: k,
      signals: [first, first + count],
      methods: spec.methods,
      mask: spec.mask,
      noise: spec.noise,
      ...(spec.measure !== undefined ? { measure: spec.measure } : {}),
      seed: spec.seed,
      draws: spec.draws ?? 'chunk',
    };
  }
  const { first, count } = checkChunkRange(spec, k);
  return { chunk: k, samples: [first, first + count], seed: spec.seed, noise: spec.noise };
}

/**
 * A rough relative cost of chunk k, for scheduling only: the engine starts
 * the dearest chunks first (longest-processing-time order), so that a big
 * chunk is not left to one worker at the end. Kinds whose chunks cost alike say 1.
 */
export function chunkCost(spec: JobSpec, k: number): number {
  return spec.kind === 'sweep' ? sweepChunkCost(spec, k) : 1;
}

/**
 * What a worker needs of the job to compute chunk k: the spec itself, except
 * that a project job's signals outside chunk k are left empty (their count
 * kept, so chunk ranges stay the same). A project spec carries its signals,
 * up to millions of numbers, and the engine sends the spec with every chunk.
 */
export function chunkJob(spec: JobSpec, k: number): JobSpec {
  if (spec.kind !== 'project') return spec;
  const { first, count } = projectChunkRange(spec, k);
  return { ...spec, signals: spec.signals.map((s, j) => (j >= first && j < first + count ? s : [])) };
}

/** Computes chunk k of a job (pure; deterministic in the spec and k, timings aside). */
export function runChunk(gen: Generator, spec: JobSpec, k: number, now: () => number): ChunkResult {
  if (spec.kind === 'check') return checkChunk(gen, spec, k);
  if (spec.kind === 'sweep') return sweepChunk(spec, k, now);
  if (spec.kind === 'noise') return noiseChunk(gen, spec, k, now);
  if (spec.kind === 'sensing') return sensingChunk(gen, spec, k, now);
  // The invert kind records convergence histories and support agreement; trained (3 × 512 signals) does not, to stay small.
  // Both keep a few example images from chunk 0 (trained: chunk 0 of each setting).
  const steps =
    spec.kind === 'project'
      ? projectChunk(gen, spec, k, now)
      : spec.kind === 'trained'
        ? trainedChunk(gen, spec, k, now)
        : invertChunk(gen, { ...spec, convergence: true, examples: true }, k, now);
  let next = steps.next();
  while (!next.done) next = steps.next();
  return next.value;
}

/** Merges a job's chunks, given in chunk order, into the one-pass experiment's report. */
export function mergeChunks(gen: Generator, spec: JobSpec, chunks: readonly ChunkResult[]): JobReport {
  switch (spec.kind) {
    case 'invert':
      return mergeInvertChunks(spec, chunks as InvertBlock[]);
    case 'check':
      return mergeCheckChunks(gen, spec, chunks as CheckBlock[]);
    case 'sweep':
      return mergeSweepChunks(spec, chunks as SweepBlock[]);
    case 'trained':
      return mergeTrainedChunks(gen, spec, chunks as InvertBlock[]);
    case 'noise':
      return mergeNoiseChunks(spec, chunks as NoiseChunk[]);
    case 'project':
      return mergeProjectChunks(spec, chunks as ProjectBlock[], gen.imageShape);
    case 'sensing':
      return mergeSensingChunks(spec, chunks as SensingBlock[]);
  }
}

/**
 * A running job's result so far, from the chunks finished (`chunks[k]`
 * undefined for one not done), for the kinds whose figures can grow as
 * chunks finish: a sweep point by point, a noise job σ by σ. Each shown
 * point is the very one the finished job will have. Undefined for the other kinds.
 */
export function partialReport(spec: JobSpec, chunks: readonly (ChunkResult | undefined)[]): JobReport | undefined {
  if (spec.kind === 'sweep') return partialSweep(spec, chunks as (SweepBlock | undefined)[]);
  if (spec.kind === 'noise') return partialNoise(spec, chunks as (NoiseChunk | undefined)[]);
  return undefined;
}

/** Tag of a number JSON has no literal for. */
const NON_FINITE = '$nonFinite';

/**
 * JSON for chunk files that keeps every float64 exactly: finite numbers
 * round-trip through JSON's shortest representation already; ±Infinity and
 * NaN (an unbounded spark, a diverged signal) become `{"$nonFinite": "Infinity"}`
 * instead of JSON's silent null.
 */
export function encodeChunk(value: ChunkResult): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v,
  );
}

/** Reads what `encodeChunk` wrote. */
export function decodeChunk(text: string): ChunkResult {
  // The reviver is called for every value; most chunks hold no non-finite number to restore.
  if (!text.includes(`"${NON_FINITE}"`)) return JSON.parse(text) as ChunkResult;
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const tag = (v as Raw)[NON_FINITE];
      if (typeof tag === 'string' && Object.keys(v).length === 1) return Number(tag);
    }
    return v;
  }) as ChunkResult;
}
