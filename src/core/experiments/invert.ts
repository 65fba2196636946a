import { column } from '../linalg/dense';
import { productKernel } from '../linalg/gemm';
import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles, relativeError, snrDb } from '../metrics';
import { activationFunctions } from '../model/activations';
import { forward } from '../model/forward';
import { outputImageShape, type Generator as Net } from '../model/generator';
import { foldMeasurement, type MeasureSpec } from '../model/measurement';
import { observe, type MaskSpec, type NoiseSpec } from '../model/observation';
import { inversionSteps, type MethodOptions } from '../pursuit/methods';
import { prepare } from '../pursuit/prepared';
import { classifySaturation, unsaturated } from '../pursuit/saturation';
import type { HybridChoice, MethodId, ParameterChoice, PhaseStop } from '../pursuit/types';
import { certifyMeasured, certifyUniqueness, type UniquenessCertificate } from '../theory/certificate';
import { exampleColumn, INVERT_EXAMPLES, type ImageExamples } from './examples';
import { indexSeed, observeSignals, signalLatents, signalwiseSteps } from './signalDraws';

/** SNRs are capped here: float64 recovery can be exact to the last bit, and JSON has no Infinity. */
export const SNR_CAP_DB = 400;

/**
 * How a run's random draws are seeded. `chunk`: a block's signals are drawn
 * together from its seed (chunk k's from `chunkSeed(seed, k)`), so which
 * signals a run draws depends on its chunk size; the trained, sweep and
 * noise kinds draw so. `signal`: signal i is drawn alone from
 * `signalSeed(seed, i)` (signalDraws.ts), so a job's result is the same bits
 * whatever its chunk size; invert jobs draw so (a spec.json without `draws`
 * was written before, and draws by chunk).
 */
export type InvertDraws = 'chunk' | 'signal';

export interface InvertSpec {
  readonly methods: readonly MethodId[];
  /** Signals z ~ N(0, I). */
  readonly count: number;
  /**
   * Seeds the latents; noise and masks use derived seeds (seed + 1, seed + 2),
   * and gradient descent's random starts seed + 3 unless its options give one
   * (the same seed would start it from the true z). Drawn by signal, each
   * signal's seed is derived from this one and its index, and the same holds per signal.
   */
  readonly seed: number;
  /** @default 'chunk' */
  readonly draws?: InvertDraws;
  readonly mask: MaskSpec;
  readonly noise: NoiseSpec;
  /**
   * How G(z) is observed: pixel by pixel (the mask applies), or y = A·G(z) + e
   * through a seeded m × n Gaussian A (model/measurement.ts; its seed is part
   * of the spec, the same A for every chunk). @default pixels
   */
  readonly measure?: MeasureSpec;
  /** A signal is recovered when ‖ẑ − z‖/‖z‖ < this. @default 1e-3 */
  readonly successThreshold?: number;
  readonly options?: MethodOptions;
  /** Add each recovered signal's uniqueness certificate (theory/certificate.ts). @default false */
  readonly certify?: boolean;
  /**
   * Add each signal's objective and misfit histories (for convergence plots) and its
   * estimated supports' agreement with the true ones. Off by default: ~200
   * numbers per signal and method would multiply the size of a large report
   * (a trained job's 3 × 512 signals); the `invert` job kind turns it on.
   * @default false
   */
  readonly convergence?: boolean;
  /**
   * Keep the first signals whole — G(z), the observation, each method's
   * G(ẑ), 4 significant digits — for an image grid, when the output is an
   * image (a recorded shape, or a square): drawn by chunk, chunk 0's first
   * ones (so a report is the same whatever the number of workers); drawn by
   * signal, the run's first INVERT_EXAMPLES, from whichever chunks hold them
   * (the same whatever the chunk size too). The invert and trained job kinds
   * turn it on. @default false
   */
  readonly examples?: boolean;
}

export interface SignalOutcome {
  readonly relErrZ: number;
  readonly snrZ: number;
  /** SNR of every hidden layer of G(ẑ) against G(z)'s. */
  readonly snrLayers: number[];
  readonly snrImage: number;
  readonly iterations: number;
  readonly stopReason: PhaseStop;
  /** Notes of phases that took a fallback or failed. */
  readonly notes?: string[];
  /** With `certify`: is ẑ provably the unique solution at its sparsity levels, and if not, which layer fails. */
  readonly certificate?: UniquenessCertificate;
  /** Known pixels read as saturated: one-sided bounds, not equations (pursuit/saturation.ts). */
  readonly saturated: number;
  /**
   * With `convergence`: the objective values of every phase, concatenated in
   * phase order and thinned to at most HISTORY_POINTS (evenly spaced indices,
   * the last value kept), each rounded to 6 significant digits. Phases
   * minimise different objectives, so a jump marks a new phase, not a divergence.
   */
  readonly history?: number[];
  /**
   * With `convergence`: each phase's misfit (its data term, the objective
   * without its penalty), concatenated and thinned exactly as `history`, so
   * the two align point by point. Absent in runs recorded before it existed.
   */
  readonly misfit?: number[];
  /**
   * With `convergence`, for methods that estimate the hidden layers (not z
   * alone): per hidden layer the Jaccard index |Ŝ ∩ S| / |Ŝ ∪ S| of the
   * estimated and the true support (1 when both are empty), each support
   * read with the method's own rule |x| > supportTolerance · ‖x‖∞.
   */
  readonly supportAgreement?: number[];
  /** With a grid protocol (GD's `stepGrid`, LBP's `lambdaGrid`): the value this signal got. */
  readonly choice?: ParameterChoice;
  /** The hybrid pursuit's winning path for this signal (pursuit/hybrid.ts). */
  readonly path?: HybridChoice;
  /**
   * With `convergence`: the estimate ẑ itself, n₀ float64 numbers as JSON
   * writes them (shortest round-trip form, so exact; a non-finite entry
   * becomes null). With the spec's seeds it is all `reconstructSignal` needs
   * to redraw this signal's truth and observation and recompute G(ẑ), so a
   * viewer can show every signal without the report storing its images.
   */
  readonly zHat?: (number | null)[];
}

export interface MethodOutcome {
  readonly seconds: number;
  readonly summary: {
    readonly successRate: number;
    readonly medianSnrZ: number;
    readonly p10SnrZ: number;
    readonly p90SnrZ: number;
    readonly medianSnrImage: number;
    /** Signals per stop reason. */
    readonly stopReasons: Partial<Record<PhaseStop, number>>;
  };
  readonly signals: SignalOutcome[];
}

export interface InvertReport {
  readonly settings: {
    readonly count: number;
    readonly seed: number;
    readonly mask: MaskSpec;
    readonly noise: NoiseSpec;
    /** The measurement (with A's seed) when not pixel by pixel. */
    readonly measure?: MeasureSpec;
    readonly successThreshold: number;
    /** Present when the signals were drawn one by one (InvertDraws); a redraw needs no chunk size then. */
    readonly draws?: 'signal';
    /**
     * With `convergence` (ẑ recorded) and signals drawn by chunk: signals per chunk, the block size the
     * signals were drawn in (chunk k from `chunkSeed(seed, k)`); a one-pass
     * experiment is one chunk of `count`. What `reconstructSignal` needs to redraw a signal.
     */
    readonly chunkSize?: number;
    /** The product kernel that ran (kernels give identical bits; recorded for the record). */
    readonly kernel: string;
    /**
     * For a bounded φ (tanh, sigmoid): τ, the pre-activation thresholds θ⁺ and
     * θ⁻ that saturated pixels bound, and the saturated known pixels per signal.
     */
    readonly saturation?: {
      readonly tolerance: number;
      readonly above: number;
      readonly below: number;
      readonly pixels: { readonly median: number; readonly p10: number; readonly p90: number };
    };
  };
  readonly methods: Partial<Record<MethodId, MethodOutcome>>;
  /** With `examples`: the first signals as images. */
  readonly examples?: ImageExamples;
}

export interface InvertProgress {
  readonly method: MethodId;
  /** 0-based position of the method in the list. */
  readonly index: number;
  /** Fraction of this method done. */
  readonly fraction: number;
}

const cap = (v: number) => Math.min(v, SNR_CAP_DB);

/** Points kept of a signal's objective history: plenty for a convergence plot, ≤ ~1 kB of JSON. */
export const HISTORY_POINTS = 100;

/**
 * Thins a series to at most `max` points at evenly spaced indices, first and
 * last kept, each value rounded to 6 significant digits (a plot needs no
 * more, and it halves the JSON). Non-finite values stay as they are.
 *
 * @example thinHistory([1, 2, 3, 4, 5], 3) // [1, 3, 5]
 */
export function thinHistory(values: readonly number[], max = HISTORY_POINTS): number[] {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);
  if (values.length <= max) return values.map(round);
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(round(values[Math.round((i * (values.length - 1)) / (max - 1))]));
  return out;
}

/**
 * Jaccard index of two supports, column j of an n × count matrix each, a
 * support being {i : |x_i| > tol · ‖x‖∞}; 1 when both are empty.
 */
export function supportJaccard(
  estimate: Float64Array,
  truth: Float64Array,
  n: number,
  count: number,
  j: number,
  tol: number,
): number {
  let maxE = 0;
  let maxT = 0;
  for (let i = 0; i < n; i++) {
    maxE = Math.max(maxE, Math.abs(estimate[i * count + j]));
    maxT = Math.max(maxT, Math.abs(truth[i * count + j]));
  }
  let both = 0;
  let either = 0;
  for (let i = 0; i < n; i++) {
    const e = maxE > 0 && Math.abs(estimate[i * count + j]) > tol * maxE;
    const t = maxT > 0 && Math.abs(truth[i * count + j]) > tol * maxT;
    if (e && t) both++;
    if (e || t) either++;
  }
  return either === 0 ? 1 : both / either;
}

/**
 * One block of signals inverted by every method: what a report is made of.
 * A whole experiment is one block; a job's chunk is one block, and the
 * chunks' blocks, concatenated in chunk order, make the same kind of report.
 */
export interface InvertBlock {
  /** Per method, in the spec's order: the block's signals and the method's wall time on them. */
  readonly methods: Partial<Record<MethodId, { readonly seconds: number; readonly signals: SignalOutcome[] }>>;
  /** For a bounded φ: the saturation thresholds (the same for every block) and each signal's saturated pixels. */
  readonly saturation?: {
    readonly tolerance: number;
    readonly above: number;
    readonly below: number;
    readonly counts: number[];
  };
  /** The block's signals among the run's examples, as images (InvertSpec.examples). */
  readonly examples?: ImageExamples;
}

function checkInvertSpec(spec: InvertSpec): void {
  if (!(Number.isInteger(spec.count) && spec.count >= 1))
    throw new RangeError(`count must be a positive integer, got ${spec.count}`);
  if (spec.methods.length === 0) throw new RangeError('no method to run');
}

/**
 * Draws signals first … first + count − 1 — by chunk: all from `seed`
 * (latents from seed, noise seed + 1, masks seed + 2, GD starts seed + 3);
 * by signal: each from its own signal seed (signalDraws.ts) — observes and
 * inverts them with every method, and measures each recovery. The
 * per-signal measurement that both the one-pass experiment and a job's chunks use.
 */
function* invertBlock(
  gen: Net,
  spec: InvertSpec,
  first: number,
  count: number,
  seed: number,
  now: () => number,
): Generator<InvertProgress, InvertBlock, void> {
  const n0 = gen.inputDim;
  const bySignal = spec.draws === 'signal';
  const z = bySignal
    ? signalLatents(n0, spec.seed, first, count)
    : matrix(n0, count, createRng(seed).fillGaussian(new Float64Array(n0 * count)));
  const truth = forward(gen, z);
  const obs = bySignal
    ? observeSignals(truth.output, spec, first)
    : observe(truth.output, spec.noise, spec.mask, seed + 1, spec.measure);
  const A = obs.A;
  // Under A with an identity φ, Theorem 1's last layer is about A·W_L: the folded generator's layers (certificate.ts).
  const identity = gen.output.kind === 'identity';
  const prepared = prepare(A !== undefined && identity ? foldMeasurement(gen, A) : gen);
  // Under A nothing is read as saturated (pursuit/saturation.ts, unsaturated): as the methods see it.
  const saturation =
    A !== undefined
      ? unsaturated(obs.y)
      : classifySaturation(
          obs.y,
          obs.known,
          gen.output,
          activationFunctions(gen.output),
          spec.options?.saturationTolerance,
        );
  // The pixels that carry equations: known and unsaturated (what a certificate may rely on).
  const equationRows = (j: number) => {
    const rows: number[] = [];
    for (let i = 0; i < obs.y.rows; i++) {
      const p = i * count + j;
      if ((obs.known === undefined || obs.known[p]) && saturation.side[p] === 0) rows.push(i);
    }
    return Int32Array.from(rows);
  };
  const methods: InvertBlock['methods'] = {};
  const n = obs.y.rows;
  // Examples for an image grid, only when the output is an image (a recorded shape, or a square) and
  // observed pixel by pixel (under A the observations are m mixtures): the run's first
  // INVERT_EXAMPLES signals — by signal, those of them in this block; by chunk, chunk 0's first ones.
  const shape = outputImageShape(n, gen.imageShape);
  const keep =
    spec.examples === true && shape !== undefined && A === undefined
      ? Math.max(0, Math.min(count, bySignal ? INVERT_EXAMPLES - first : first === 0 ? INVERT_EXAMPLES : 0))
      : 0;
  const examples: ImageExamples['signals'] = Array.from({ length: keep }, (_, j) => ({
    truth: exampleColumn(truth.output.data, n, count, j) as number[],
    observed: exampleColumn(obs.y.data, n, count, j, obs.known),
    methods: {},
  }));
  // By chunk: GD's random starts must not be the latents' draws (seeded alike, a start would equal z).
  // By signal, signalwiseSteps seeds them per signal.
  const startSeed = seed + 3;
  const options: MethodOptions = {
    ...spec.options,
    gd: { seed: startSeed, ...spec.options?.gd },
    adam: { seed: startSeed, ...spec.options?.adam },
    gdClip: { seed: startSeed, ...spec.options?.gdClip },
    hybrid: { seed: startSeed, ...spec.options?.hybrid },
  };

  for (let index = 0; index < spec.methods.length; index++) {
    const method = spec.methods[index];
    const start = now();
    const steps = bySignal
      ? signalwiseSteps(gen, obs, method, spec.options ?? {}, spec.seed, first, truth.hidden)
      : inversionSteps(gen, obs, method, options, truth.hidden);
    let next = steps.next();
    while (!next.done) {
      yield { method, index, fraction: next.value };
      next = steps.next();
    }
    const result = next.value;
    const seconds = (now() - start) / 1000;
    const back = forward(gen, result.z);
    const signals: SignalOutcome[] = result.signals.map((s, j) => {
      const notes = s.phases.filter((p) => p.note !== undefined).map((p) => `${p.phase}: ${p.note}`);
      return {
        relErrZ: relativeError(column(result.z, j), column(z, j)),
        snrZ: cap(snrDb(column(result.z, j), column(z, j))),
        snrLayers: back.hidden.map((x, i) => cap(snrDb(column(x, j), column(truth.hidden[i], j)))),
        snrImage: cap(snrDb(column(back.output, j), column(truth.output, j))),
        iterations: s.iterations,
        stopReason: s.stopReason,
        ...(notes.length > 0 ? { notes } : {}),
        ...(spec.certify
          ? {
              certificate:
                A === undefined
                  ? certifyUniqueness(prepared, back.hidden, j, equationRows(j))
                  : certifyMeasured(prepared, identity, A, back.hidden, j),
            }
          : {}),
        saturated: s.saturated,
        ...(result.choices !== undefined ? { choice: result.choices[j] } : {}),
        ...(result.paths !== undefined ? { path: result.paths[j] } : {}),
        ...(spec.convergence
          ? {
              zHat: Array.from(column(result.z, j)),
              // One length, so thinned at the same indices.
              history: thinHistory(s.phases.flatMap((p) => p.history)),
              misfit: thinHistory(s.phases.flatMap((p) => p.misfit)),
              ...(result.layers.length > 0
                ? {
                    supportAgreement: result.layers
                      .slice(0, truth.hidden.length)
                      .map((x, i) =>
                        supportJaccard(x.data, truth.hidden[i].data, x.rows, count, j, result.supportTolerance),
                      ),
                  }
                : {}),
            }
          : {}),
      };
    });
    methods[method] = { seconds, signals };
    examples.forEach((e, j) => (e.methods[method] = exampleColumn(back.output.data, n, count, j) as number[]));
    yield { method, index, fraction: 1 };
  }
  return {
    methods,
    ...(keep > 0 ? { examples: { truthLabel: 'G(z)', shape, signals: examples } } : {}),
    ...(saturation.range !== undefined
      ? {
          saturation: {
            tolerance: saturation.tolerance,
            above: saturation.above,
            below: saturation.below,
            counts: Array.from(saturation.counts),
          },
        }
      : {}),
  };
}

/**
 * The report of an experiment from its blocks, concatenated in the order
 * given: every method's signals, its summary over all of them, and the
 * summed wall time (the one field that differs between two runs).
 */
export function summarizeInvert(spec: InvertSpec, blocks: readonly InvertBlock[]): InvertReport {
  const threshold = spec.successThreshold ?? 1e-3;
  const methods: Partial<Record<MethodId, MethodOutcome>> = {};
  for (const method of spec.methods) {
    let seconds = 0;
    const signals: SignalOutcome[] = [];
    for (const block of blocks) {
      const outcome = block.methods[method];
      if (outcome === undefined) throw new RangeError(`a block has no result for method ${method}`);
      seconds += outcome.seconds;
      signals.push(...outcome.signals);
    }
    const snrZ = signals.map((s) => s.snrZ);
    const [p10, med, p90] = quantiles(snrZ, [0.1, 0.5, 0.9]);
    const stopReasons: Partial<Record<PhaseStop, number>> = {};
    for (const s of signals) stopReasons[s.stopReason] = (stopReasons[s.stopReason] ?? 0) + 1;
    methods[method] = {
      seconds,
      summary: {
        successRate: signals.filter((s) => s.relErrZ < threshold).length / signals.length,
        medianSnrZ: med,
        p10SnrZ: p10,
        p90SnrZ: p90,
        medianSnrImage: quantiles(
          signals.map((s) => s.snrImage),
          [0.5],
        )[0],
        stopReasons,
      },
      signals,
    };
  }
  const saturation = blocks[0]?.saturation;
  // Drawn by chunk only chunk 0 holds examples; drawn by signal the first chunks that hold the first signals.
  const shown = blocks.flatMap((b) => b.examples?.signals ?? []);
  const examples: ImageExamples | undefined =
    blocks[0]?.examples !== undefined ? { ...blocks[0].examples, signals: shown } : undefined;
  // Chunk 0 is a full chunk (only the last may be short), so its size is the chunk size.
  const first = Object.values(blocks[0]?.methods ?? {})[0]?.signals;
  const withZ = first?.[0]?.zHat !== undefined;
  return {
    settings: {
      count: spec.count,
      seed: spec.seed,
      mask: spec.mask,
      noise: spec.noise,
      ...(spec.measure !== undefined && spec.measure.kind !== 'pixels' ? { measure: spec.measure } : {}),
      successThreshold: threshold,
      ...(spec.draws === 'signal' ? { draws: 'signal' as const } : withZ ? { chunkSize: first.length } : {}),
      kernel: productKernel().name,
      ...(saturation !== undefined
        ? {
            saturation: {
              tolerance: saturation.tolerance,
              above: saturation.above,
              below: saturation.below,
              pixels: (([p10, median, p90]) => ({ median, p10, p90 }))(
                quantiles(
                  blocks.flatMap((b) => b.saturation?.counts ?? []),
                  [0.1, 0.5, 0.9],
                ),
              ),
            },
          }
        : {}),
    },
    methods,
    ...(examples !== undefined ? { examples } : {}),
  };
}

/**
 * The CLI's and the app's inversion experiment: draw `count` latents,
 * observe G(z) through the mask and noise, run each method on the same
 * observations, and measure every recovery by feeding ẑ back through the
 * generator (as the paper does). Yields progress between solver steps.
 *
 * @param now a clock in milliseconds (the caller's: core does not read the platform's timers).
 */
export function* invertExperiment(
  gen: Net,
  spec: InvertSpec,
  now: () => number,
): Generator<InvertProgress, InvertReport, void> {
  checkInvertSpec(spec);
  const block = yield* invertBlock(gen, spec, 0, spec.count, spec.seed, now);
  return summarizeInvert(spec, [block]);
}

/** Signals per chunk of an invert job unless its spec says otherwise. */
export const DEFAULT_INVERT_CHUNK = 16;

/** An invert experiment cut into chunks of `chunkSize` signals (the last one may be shorter). */
export interface InvertJobSpec extends InvertSpec {
  /** Signals per chunk. @default 16 */
  readonly chunkSize?: number;
}

/** Number of chunks of an invert job. */
export function invertChunkCount(spec: InvertJobSpec): number {
  checkInvertSpec(spec);
  const size = spec.chunkSize ?? DEFAULT_INVERT_CHUNK;
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`chunkSize must be a positive integer, got ${size}`);
  return Math.ceil(spec.count / size);
}

/** Which signals chunk k holds: [first, first + count). */
export function invertChunkRange(spec: InvertJobSpec, k: number): { first: number; count: number } {
  const total = invertChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the job has ${total})`);
  const size = spec.chunkSize ?? DEFAULT_INVERT_CHUNK;
  return { first: k * size, count: Math.min(size, spec.count - k * size) };
}

/**
 * The seed of chunk k, from the run's seed and k alone, so a chunk is the
 * same whichever worker computes it and whenever. Chunk 0 keeps the run's
 * seed: a one-chunk job draws exactly what `invertExperiment` draws.
 */
export const chunkSeed = indexSeed;

/**
 * Chunk k of an invert job: its signals, drawn from `chunkSeed(seed, k)`
 * (by chunk) or each from its signal seed (by signal), inverted and measured by every method. Pure and deterministic: the same
 * spec and k give the same block, bit for bit (`seconds` aside).
 */
export function* invertChunk(
  gen: Net,
  spec: InvertJobSpec,
  k: number,
  now: () => number,
): Generator<InvertProgress, InvertBlock, void> {
  const { first, count } = invertChunkRange(spec, k);
  return yield* invertBlock(gen, spec, first, count, chunkSeed(spec.seed, k), now);
}

/**
 * Joins an invert job's chunks, given in chunk order, into the report
 * `invertExperiment` gives (same shape; `seconds` is the summed compute time).
 */
export function mergeInvertChunks(spec: InvertJobSpec, chunks: readonly InvertBlock[]): InvertReport {
  const total = invertChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  return summarizeInvert(spec, chunks);
}
