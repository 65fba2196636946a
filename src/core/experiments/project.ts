/**
 * The `project` job: invert given signals (an image, an .npy, a JSON list)
 * instead of drawn ones. Per signal and method: ẑ, G(ẑ), the residual on the
 * known pixels, and — when the fit reproduces the signal (on the generator's
 * range) — the uniqueness certificate of ẑ. A signal off the range gets its
 * best fit and how far off it is, and no certificate: Theorem 1 speaks of
 * the preimage of a signal, and an off-range signal has none.
 *
 * The spec carries the signals themselves (and the shared mask as hidden
 * pixel indices), so spec.json alone reproduces the run; the input file's
 * name, SHA-256 and decode record are kept beside them for the record.
 */
import { productKernel } from '../linalg/gemm';
import { matrix } from '../linalg/matrix';
import { quantiles } from '../metrics';
import { activationFunctions } from '../model/activations';
import { forward } from '../model/forward';
import { outputImageShape, type Generator as Net, type ImageShape } from '../model/generator';
import type { Observation } from '../model/observation';
import { inversionSteps, type MethodOptions } from '../pursuit/methods';
import { prepare } from '../pursuit/prepared';
import { classifySaturation } from '../pursuit/saturation';
import type { MethodId, PhaseStop } from '../pursuit/types';
import { certifyUniqueness, type UniquenessCertificate } from '../theory/certificate';
import { PROJECT_EXAMPLES, round4, type ImageExamples } from './examples';
import { chunkSeed, type InvertProgress } from './invert';

/** Where the signals came from: what the spec records of the input file (informational; the signals are in the spec). */
export interface ProjectInput {
  /** The file's name as given. */
  readonly file: string;
  /** SHA-256 of the file's bytes (hex). */
  readonly sha256: string;
  readonly format: string;
  /** Anything else about the decoding: shape, image (size, colour, grayscale rule, resize), range. */
  readonly [key: string]: unknown;
}

export interface ProjectSpec {
  /** @default ["lp", "lbp", "gd"] (the oracles need the true supports, which a given signal has not) */
  readonly methods: readonly MethodId[];
  /** The signals, each of the model's output length n. */
  readonly signals: readonly (readonly number[])[];
  /** Pixels hidden in every signal (0-based, increasing); absent or empty when all are known. */
  readonly hidden?: readonly number[];
  /** The signal file (and the mask file) as read: name, SHA-256, decode record. */
  readonly input?: ProjectInput;
  readonly mask?: ProjectInput;
  /** Seeds gradient descent's random starts (chunk k uses chunkSeed(seed, k)). @default 0 */
  readonly seed: number;
  /**
   * A fit is on the generator's range when ‖M(G(ẑ) − y)‖ / ‖M y‖ ≤ this;
   * above it, the signal is reported off the range and no certificate is
   * claimed. @default 1e-3
   */
  readonly offRangeThreshold: number;
  readonly options?: MethodOptions;
  /** Signals per chunk. @default 16 */
  readonly chunkSize: number;
}

/** One method's fit of one signal. */
export interface ProjectFit {
  readonly z: number[];
  /** G(ẑ), the output layer. */
  readonly output: number[];
  /** ‖M(G(ẑ) − y)‖₂ over the known pixels. */
  readonly residual: number;
  /** residual / ‖M y‖₂ (the residual itself when ‖M y‖ = 0). */
  readonly relativeResidual: number;
  /** relativeResidual ≤ the spec's offRangeThreshold. */
  readonly onRange: boolean;
  /** One line a user reads: on the range (certified or not), or off it by how much. */
  readonly verdict: string;
  /** Only for an on-range fit: is ẑ provably the unique preimage at its sparsity levels. */
  readonly certificate?: UniquenessCertificate;
  /** With hidden pixels: ‖G(ẑ) − y‖ / ‖y‖ on them, against the file's own values there (inpainting error). */
  readonly hiddenRelativeError?: number;
  readonly iterations: number;
  readonly stopReason: PhaseStop;
  readonly saturated: number;
  readonly notes?: string[];
}

/** A chunk: signals [first, first + count) fitted by every method. */
export interface ProjectBlock {
  readonly first: number;
  readonly methods: Partial<Record<MethodId, { readonly seconds: number; readonly signals: ProjectFit[] }>>;
}

export interface ProjectSignal {
  readonly index: number;
  /** The method whose fit has the smallest relative residual (first in spec order on a tie). */
  readonly best: MethodId;
  readonly onRange: boolean;
  /** Some on-range fit carries a Theorem 1 certificate. */
  readonly certified: boolean;
  readonly verdict: string;
  readonly methods: Partial<Record<MethodId, ProjectFit>>;
}

export interface ProjectResult {
  readonly kind: 'project';
  readonly settings: {
    readonly count: number;
    readonly n: number;
    readonly hidden: number;
    readonly seed: number;
    readonly offRangeThreshold: number;
    readonly kernel: string;
    readonly input?: ProjectInput;
    readonly mask?: ProjectInput;
  };
  readonly methods: Partial<
    Record<
      MethodId,
      {
        readonly seconds: number;
        readonly onRange: number;
        readonly certified: number;
        readonly medianRelativeResidual: number;
        readonly stopReasons: Partial<Record<PhaseStop, number>>;
      }
    >
  >;
  readonly signals: ProjectSignal[];
  /** The first signals as images, when the output is a square image. */
  readonly examples?: ImageExamples;
}

export const DEFAULT_PROJECT_METHODS: readonly MethodId[] = ['lp', 'lbp', 'gd'];
export const DEFAULT_OFF_RANGE_THRESHOLD = 1e-3;
export const DEFAULT_PROJECT_CHUNK = 16;

/**
 * Checks a project spec against itself (and, given n, the model).
 * @throws RangeError naming the problem.
 */
export function checkProjectSpec(spec: ProjectSpec, n?: number): void {
  if (spec.signals.length === 0) throw new RangeError('"signals" holds no signal');
  const len = n ?? spec.signals[0].length;
  spec.signals.forEach((s, j) => {
    if (s.length !== len)
      throw new RangeError(
        `signal ${j} has ${s.length} values, but ${n === undefined ? `signal 0 has ${len}` : `the model's output has n = ${n}`}`,
      );
  });
  let last = -1;
  for (const i of spec.hidden ?? []) {
    if (!(Number.isInteger(i) && i > last && i < len))
      throw new RangeError(`"hidden" must list increasing pixel indices from 0 to ${len - 1}, got ${i} after ${last}`);
    last = i;
  }
  if ((spec.hidden?.length ?? 0) === len) throw new RangeError('"hidden" hides every pixel: nothing is left to invert');
  const oracle = spec.methods.find((m) => m === 'oracle' || m === 'oracle-e2e');
  if (oracle !== undefined)
    throw new RangeError(`the ${oracle} method needs the true hidden layers, which a given signal does not have`);
}

/** Number of chunks of a project job. */
export function projectChunkCount(spec: ProjectSpec): number {
  if (!(Number.isInteger(spec.chunkSize) && spec.chunkSize >= 1))
    throw new RangeError(`chunkSize must be a positive integer, got ${spec.chunkSize}`);
  return Math.ceil(spec.signals.length / spec.chunkSize);
}

/** Signals of chunk k: [first, first + count). */
export function projectChunkRange(spec: ProjectSpec, k: number): { first: number; count: number } {
  const total = projectChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the job has ${total})`);
  const first = k * spec.chunkSize;
  return { first, count: Math.min(spec.chunkSize, spec.signals.length - first) };
}

const fmt = (v: number) => (v === 0 ? '0' : v.toPrecision(2));

/** The line a fit reads as. */
function fitVerdict(onRange: boolean, rel: number, threshold: number, cert?: UniquenessCertificate): string {
  if (!onRange)
    return `off the generator's range by ${fmt(rel)} (relative residual, above ${fmt(threshold)}): best fit, no certificate claimed`;
  if (cert?.certified) return `on the range (relative residual ${fmt(rel)}); ẑ certified unique by Theorem 1`;
  const why = cert?.failing ? `: layer ${cert.failing.layer}, ${cert.failing.condition}` : '';
  return `on the range (relative residual ${fmt(rel)}); uniqueness not certified${why}`;
}

/**
 * Chunk k: its signals observed through the shared mask and fitted by every
 * method. Pure and deterministic in (spec, k), `seconds` aside.
 */
export function* projectChunk(
  gen: Net,
  spec: ProjectSpec,
  k: number,
  now: () => number,
): Generator<InvertProgress, ProjectBlock, void> {
  const n = gen.layers[gen.layers.length - 1].W.rows;
  const { first, count } = projectChunkRange(spec, k);
  // Only this chunk's signals are checked: a worker may get the others empty (jobs.ts chunkJob).
  checkProjectSpec({ ...spec, signals: spec.signals.slice(first, first + count) }, n);
  const full = matrix(n, count);
  for (let j = 0; j < count; j++) {
    const s = spec.signals[first + j];
    for (let i = 0; i < n; i++) full.data[i * count + j] = s[i];
  }
  const hiddenPixel = new Uint8Array(n);
  for (const i of spec.hidden ?? []) hiddenPixel[i] = 1;
  const masked = (spec.hidden?.length ?? 0) > 0;
  let known: Uint8Array | undefined;
  const y = matrix(n, count, Float64Array.from(full.data));
  if (masked) {
    known = new Uint8Array(n * count);
    for (let i = 0; i < n; i++) {
      if (hiddenPixel[i]) y.data.fill(0, i * count, (i + 1) * count);
      else known.fill(1, i * count, (i + 1) * count);
    }
  }
  // The mask field only labels the observation; `known` is what the methods read.
  const obs: Observation = {
    y,
    ...(known !== undefined ? { known } : {}),
    noise: { kind: 'none' },
    mask: { kind: 'none' },
  };
  const saturation = classifySaturation(
    y,
    known,
    gen.output,
    activationFunctions(gen.output),
    spec.options?.saturationTolerance,
  );
  const prepared = prepare(gen);
  const startSeed = chunkSeed(spec.seed, k);
  const options: MethodOptions = {
    ...spec.options,
    gd: { seed: startSeed, ...spec.options?.gd },
    adam: { seed: startSeed, ...spec.options?.adam },
    gdClip: { seed: startSeed, ...spec.options?.gdClip },
    hybrid: { seed: startSeed, ...spec.options?.hybrid },
  };
  const methods: ProjectBlock['methods'] = {};
  for (let index = 0; index < spec.methods.length; index++) {
    const method = spec.methods[index];
    const start = now();
    const steps = inversionSteps(gen, obs, method, options);
    let next = steps.next();
    while (!next.done) {
      yield { method, index, fraction: next.value };
      next = steps.next();
    }
    const result = next.value;
    const seconds = (now() - start) / 1000;
    const back = forward(gen, result.z);
    const n0 = gen.inputDim;
    const signals = result.signals.map((s, j): ProjectFit => {
      let rr = 0;
      let yy = 0;
      let hr = 0;
      let hy = 0;
      const rows: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = i * count + j;
        const d = back.output.data[p] - full.data[p];
        if (hiddenPixel[i]) {
          hr += d * d;
          hy += full.data[p] * full.data[p];
        } else {
          rr += d * d;
          yy += full.data[p] * full.data[p];
          if (saturation.side[p] === 0) rows.push(i);
        }
      }
      const residual = Math.sqrt(rr);
      const relativeResidual = yy > 0 ? residual / Math.sqrt(yy) : residual;
      const onRange = relativeResidual <= spec.offRangeThreshold;
      // Theorem 1 on ẑ's supports, over the pixels that carry equations (known and unsaturated).
      const certificate = onRange ? certifyUniqueness(prepared, back.hidden, j, Int32Array.from(rows)) : undefined;
      const notes = s.phases.filter((p) => p.note !== undefined).map((p) => `${p.phase}: ${p.note}`);
      const z: number[] = [];
      for (let i = 0; i < n0; i++) z.push(result.z.data[i * count + j]);
      const output: number[] = [];
      for (let i = 0; i < n; i++) output.push(back.output.data[i * count + j]);
      return {
        z,
        output,
        residual,
        relativeResidual,
        onRange,
        verdict: fitVerdict(onRange, relativeResidual, spec.offRangeThreshold, certificate),
        ...(certificate !== undefined ? { certificate } : {}),
        ...(masked ? { hiddenRelativeError: hy > 0 ? Math.sqrt(hr / hy) : Math.sqrt(hr) } : {}),
        iterations: s.iterations,
        stopReason: s.stopReason,
        saturated: s.saturated,
        ...(notes.length > 0 ? { notes } : {}),
      };
    });
    methods[method] = { seconds, signals };
    yield { method, index, fraction: 1 };
  }
  return { first, methods };
}

/**
 * Joins a project job's chunks, in chunk order, into its result.
 * @param imageShape the model's recorded image shape (Generator.imageShape), for the examples' grid.
 */
export function mergeProjectChunks(
  spec: ProjectSpec,
  chunks: readonly ProjectBlock[],
  imageShape?: ImageShape,
): ProjectResult {
  const total = projectChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  const n = spec.signals[0].length;
  const fits: Partial<Record<MethodId, ProjectFit[]>> = {};
  const methods: ProjectResult['methods'] = {};
  for (const m of spec.methods) {
    let seconds = 0;
    const all: ProjectFit[] = [];
    for (const c of chunks) {
      const o = c.methods[m];
      if (o === undefined) throw new RangeError(`a chunk has no result for method ${m}`);
      seconds += o.seconds;
      all.push(...o.signals);
    }
    fits[m] = all;
    const stopReasons: Partial<Record<PhaseStop, number>> = {};
    for (const f of all) stopReasons[f.stopReason] = (stopReasons[f.stopReason] ?? 0) + 1;
    methods[m] = {
      seconds,
      onRange: all.filter((f) => f.onRange).length,
      certified: all.filter((f) => f.certificate?.certified === true).length,
      medianRelativeResidual: quantiles(
        all.map((f) => f.relativeResidual),
        [0.5],
      )[0],
      stopReasons,
    };
  }
  const signals: ProjectSignal[] = spec.signals.map((_, index) => {
    const per: Partial<Record<MethodId, ProjectFit>> = {};
    let best = spec.methods[0];
    for (const m of spec.methods) {
      per[m] = fits[m]![index];
      if (per[m]!.relativeResidual < per[best]!.relativeResidual) best = m;
    }
    const onRange = spec.methods.some((m) => per[m]!.onRange);
    const certified = spec.methods.some((m) => per[m]!.certificate?.certified === true);
    const b = per[best]!;
    const verdict = onRange
      ? `on the range (${best}: relative residual ${fmt(b.relativeResidual)})${certified ? '; certified unique (Theorem 1)' : '; not certified'}`
      : `off the generator's range by ${fmt(b.relativeResidual)} (relative residual of the best fit, ${best}); no certificate claimed`;
    return { index, best, onRange, certified, verdict, methods: per };
  });
  const hidden = new Set(spec.hidden ?? []);
  // An image grid when the output is an image: a recorded shape, or a square.
  const shape = outputImageShape(n, imageShape);
  const examples: ImageExamples | undefined =
    shape === undefined
      ? undefined
      : {
          truthLabel: 'input y',
          shape,
          signals: spec.signals.slice(0, PROJECT_EXAMPLES).map((s, j) => ({
            truth: s.map(round4),
            observed: s.map((v, i) => (hidden.has(i) ? null : round4(v))),
            methods: Object.fromEntries(spec.methods.map((m) => [m, fits[m]![j].output.map(round4)])),
          })),
        };
  return {
    kind: 'project',
    settings: {
      count: spec.signals.length,
      n,
      hidden: spec.hidden?.length ?? 0,
      seed: spec.seed,
      offRangeThreshold: spec.offRangeThreshold,
      kernel: productKernel().name,
      ...(spec.input !== undefined ? { input: spec.input } : {}),
      ...(spec.mask !== undefined ? { mask: spec.mask } : {}),
    },
    methods,
    signals,
    ...(examples !== undefined ? { examples } : {}),
  };
}
