import { matrix, type Matrix } from '../linalg/matrix';
import { createRng, type Rng } from '../linalg/rng';
import { quantiles } from '../metrics';
import { sub } from '../theory/text';
import { forward } from '../model/forward';
import type { Generator } from '../model/generator';
import { activationFunctions } from '../model/activations';
import { prepare, type PreparedLayer } from '../pursuit/prepared';
import { classifySaturation } from '../pursuit/saturation';
import { babel, BABEL_TERMS, normalizedGram, mutualCoherence } from '../theory/coherence';
import { evaluateSignal, theorem3Bounds, type SignalEvaluation } from '../theory/theorems';
import type { StopReason, Stepper } from './stepper';

export interface CheckSpec {
  /** Latent samples z ~ N(0, I). */
  readonly samples: number;
  readonly seed: number;
  /** Gaussian noise σ on the output, for Theorem 3's error bounds (ε = σ√n). @default 0 */
  readonly noise?: number;
  /** Samples per step. @default 16 */
  readonly chunkSize?: number;
  /** τ of pursuit/saturation.ts: an output pixel within τ of an edge of φ's range is saturated. @default √ε·(hi − lo) */
  readonly saturationTolerance?: number;
}

const stats = (values: number[]) => {
  const [p10, median, p90] = quantiles(values, [0.1, 0.5, 0.9]);
  return { median, p10, p90 };
};

export interface CheckLayer {
  readonly index: number;
  /** n_i. */
  readonly n: number;
  readonly sparsity: { median: number; p10: number; p90: number };
  /** μ(W_i^{S_{i+1}}) over the samples (median), and μ of the whole W_i. */
  readonly coherence: number;
  readonly coherenceFull: number;
  /** Certified spark lower bound of W_i^{S_{i+1}} (median; Infinity for full column rank → null in JSON). */
  readonly sparkLowerBound: number | null;
  readonly theorem1: { readonly passFraction: number };
  readonly theorem2: { readonly passFraction: number };
  readonly theorem3: { readonly passFraction: number; readonly threshold: number };
  /** Theorem 3's ε_i bound (median over samples) when a noise level was given. */
  readonly errorBound?: number;
  /**
   * The distribution of sᵢ over the samples: one count per distinct value,
   * values ascending (exact and compact: at most nᵢ + 1 entries whatever the
   * number of samples; a figure bins it as it likes).
   */
  readonly histogram: { readonly values: number[]; readonly counts: number[] };
  /**
   * The rows W_i is restricted to: |S_{i+1}| for a middle layer, the pixels
   * with equations (known, unsaturated) for the last — median over samples.
   */
  readonly rows: number;
  /**
   * Babel function μ₁(k), k = 1 … K (K = min(nᵢ − 1, 16), entry k − 1), of the
   * normalised columns of W_i^{S_{i+1}} — the matrix the theorems speak of, per
   * sample: `median` and `max` are taken over the samples for each k (μ₁(1) = μ).
   * `full` is μ₁(k) of the whole W_i, computed once per layer (every row; for
   * the last layer with every pixel known it is the same matrix).
   */
  readonly babel: { readonly median: number[]; readonly max: number[]; readonly full: number[] };
  /**
   * The certified spark lower bounds of W_i^{S_{i+1}}, median over samples:
   * 1 + 1/μ, and min{k : μ₁(k − 1) ≥ 1} (nᵢ + 1 when μ₁ never reaches 1);
   * `fullColumnRank`: the fraction of samples where W_i^{S_{i+1}} has full
   * column rank (spark = ∞). `sparkLowerBound` above is the bound in force.
   */
  readonly spark: {
    readonly fromCoherence: number | null;
    readonly fromBabel: number;
    readonly fullColumnRank: number;
  };
  /**
   * Pass fractions of each part of the layer's conditions (theory/theorems.ts):
   * `spark` sᵢ < spark/2 (Theorem 1 (i)/(ii)); `rank` rank(W₀^{S₁}) = n₀ ≤ s₁
   * (Theorem 1 (iii), first layer); `lower` s₁ ≥ n₀ (Theorem 2 (iii), first
   * layer); `upper` sᵢ < sᵢ₊₁, or s_L < the pixels with equations (Theorem 2
   * (i)/(ii)); `coherence` sᵢ < 1/(3μ) (Theorem 3); `fullRank` W₀^{S₁} of full
   * column rank (Theorem 3, first layer).
   */
  readonly conditions: {
    readonly spark: number;
    readonly upper: number;
    readonly coherence: number;
    readonly rank?: number;
    readonly lower?: number;
    readonly fullRank?: number;
  };
}

export interface CheckReport {
  readonly samples: number;
  /** n₀, the latent dimension, and n, the output's. */
  readonly n0: number;
  readonly n: number;
  readonly seed: number;
  readonly stopReason: StopReason;
  readonly layers: CheckLayer[];
  readonly theorems: {
    readonly theorem1: { readonly passFraction: number };
    readonly theorem2: { readonly passFraction: number };
    readonly theorem3: { readonly passFraction: number };
  };
  /** Theorem 3's ‖ẑ − z‖ bound (median) when a noise level was given. */
  readonly zErrorBound?: number;
  /**
   * Output pixels of G(z) at the edge of φ's range (bounded φ only): they bound
   * their pre-activation from one side and carry no equation, so the last
   * layer's conditions count only the others.
   */
  readonly saturation: {
    readonly tolerance: number;
    /** Saturated pixels per sample. */
    readonly pixels: { median: number; p10: number; p90: number };
    /** Of all sampled output pixels. */
    readonly fraction: number;
  };
  readonly verdict: string;
}

const pct = (f: number) => `${(100 * f).toFixed(f === 0 || f === 1 ? 0 : 1)}%`;

/** One sample's evaluation: what the report aggregates. */
export interface CheckSample {
  readonly evaluation: SignalEvaluation;
  /** Saturated output pixels of G(z). */
  readonly saturated: number;
  /** Theorem 3's error bounds (per layer, and on z), when a noise level was given. */
  readonly bound?: { readonly layers: number[]; readonly z: number };
}

/** A block of consecutive samples, evaluated. */
export interface CheckBlock {
  /** τ, the saturation tolerance in force (the same for every block). */
  readonly tolerance: number;
  readonly samples: CheckSample[];
}

function checkCheckSpec(spec: CheckSpec): void {
  const { samples } = spec;
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= 100_000))
    throw new RangeError(`samples must be an integer from 1 to 100000, got ${samples}`);
  const sigma = spec.noise ?? 0;
  if (!(sigma >= 0)) throw new RangeError(`noise must be ≥ 0, got ${sigma}`);
}

/**
 * Draws k latents from `rng`, one sample's n₀ entries after another (the
 * order a chunk's skip-ahead relies on), as the columns of an n₀ × k matrix.
 */
function drawLatents(rng: Rng, n0: number, k: number) {
  const z = matrix(n0, k);
  for (let j = 0; j < k; j++) for (let i = 0; i < n0; i++) z.data[i * k + j] = rng.gaussian();
  return z;
}

/** Evaluates Theorems 1–3 on every column of z: the per-sample measurement of both the stepper and the chunks. */
function checkBlock(gen: Generator, layers: readonly PreparedLayer[], spec: CheckSpec, z: Matrix): CheckBlock {
  const k = z.cols;
  const sigma = spec.noise ?? 0;
  const n = layers[layers.length - 1].W.rows;
  const pass = forward(gen, z);
  const sat = classifySaturation(
    pass.output,
    undefined,
    gen.output,
    activationFunctions(gen.output),
    spec.saturationTolerance,
  );
  const samples: CheckSample[] = [];
  for (let j = 0; j < k; j++) {
    const knownRows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => sat.side[i * k + j] === 0);
    const supports = pass.hidden.map((x) => {
      const s: number[] = [];
      for (let i = 0; i < x.rows; i++) if (x.data[i * k + j] > 0) s.push(i);
      return Int32Array.from(s);
    });
    const sig = { supports, knownRows };
    samples.push({
      evaluation: evaluateSignal(layers, sig),
      saturated: sat.counts[j],
      ...(sigma > 0 ? { bound: theorem3Bounds(layers, sig, sigma * Math.sqrt(knownRows.length), 1) } : {}),
    });
  }
  return { tolerance: sat.tolerance, samples };
}

/**
 * The invertibility check: samples latents, reads each sample's supports
 * from the forward pass and evaluates Theorems 1–3 on them (see
 * theory/theorems.ts), then aggregates per layer and per theorem — a
 * theorem's overall pass fraction is the fraction of samples for which all of
 * its layer conditions hold — and writes a verdict in plain words.
 */
export function createCheck(gen: Generator, spec: CheckSpec): Stepper<CheckReport> {
  checkCheckSpec(spec);
  const { samples } = spec;
  const chunk = spec.chunkSize ?? 16;
  const layers = prepare(gen);
  const rng = createRng(spec.seed);
  const blocks: CheckBlock[] = [];
  let done = 0;

  return {
    total: samples,
    get done() {
      return done;
    },
    step() {
      const k = Math.min(chunk, samples - done);
      blocks.push(checkBlock(gen, layers, spec, drawLatents(rng, gen.inputDim, k)));
      done += k;
    },
    result(stopReason) {
      return summarizeCheck(gen, spec, blocks, stopReason, layers);
    },
  };
}

/** Samples per chunk of a check job unless its spec says otherwise. */
export const DEFAULT_CHECK_CHUNK = 64;

/** Number of chunks of a check job (`chunkSize` samples each, the last one may be shorter; default 64). */
export function checkChunkCount(spec: CheckSpec): number {
  checkCheckSpec(spec);
  const size = spec.chunkSize ?? DEFAULT_CHECK_CHUNK;
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`chunkSize must be a positive integer, got ${size}`);
  return Math.ceil(spec.samples / size);
}

/** Which samples chunk k holds: [first, first + count). */
export function checkChunkRange(spec: CheckSpec, k: number): { first: number; count: number } {
  const total = checkChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the job has ${total})`);
  const size = spec.chunkSize ?? DEFAULT_CHECK_CHUNK;
  return { first: k * size, count: Math.min(size, spec.samples - k * size) };
}

/**
 * Chunk k of a check job: the samples [first, first + count) of the very
 * stream `createCheck` draws from, reached by drawing and dropping the first
 * `first · n₀` normals. So the merged chunks give exactly the report of one
 * `createCheck` pass with the same seed, whatever the chunk size. The skip
 * costs n₀ normals per earlier sample, far less than evaluating one sample.
 */
export function checkChunk(gen: Generator, spec: CheckSpec, k: number): CheckBlock {
  const { first, count } = checkChunkRange(spec, k);
  const rng = createRng(spec.seed);
  for (let i = first * gen.inputDim; i > 0; i--) rng.gaussian();
  return checkBlock(gen, prepare(gen), spec, drawLatents(rng, gen.inputDim, count));
}

/** Joins a check job's chunks, given in chunk order, into the report of one pass. */
export function mergeCheckChunks(gen: Generator, spec: CheckSpec, chunks: readonly CheckBlock[]): CheckReport {
  const total = checkChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  return summarizeCheck(gen, spec, chunks, 'completed');
}

/** The report from evaluated blocks, in order: per-layer and per-theorem aggregates and the verdict. */
export function summarizeCheck(
  gen: Generator,
  spec: CheckSpec,
  blocks: readonly CheckBlock[],
  stopReason: StopReason,
  layers: readonly PreparedLayer[] = prepare(gen),
): CheckReport {
  const L = layers.length - 1;
  const n = layers[L].W.rows;
  const coherenceFull = layers.slice(1).map((l) => mutualCoherence(normalizedGram(l.W, l.Wt)));
  const samples = blocks.flatMap((b) => b.samples);
  const evaluations = samples.map((s) => s.evaluation);
  const saturatedCounts = samples.map((s) => s.saturated);
  const n0 = layers[0].W.cols;
  const median = (values: number[]) => quantiles(values, [0.5])[0];
  const fracOf = (pred: (j: number) => boolean) => {
    let k = 0;
    for (let j = 0; j < count; j++) if (pred(j)) k++;
    return count ? k / count : Number.NaN;
  };
  const bounds = samples.flatMap((s) => (s.bound === undefined ? [] : [s.bound]));
  const tolerance = blocks.length > 0 ? blocks[blocks.length - 1].tolerance : 0;
  const count = evaluations.length;
  const frac = (pred: (e: SignalEvaluation) => boolean) =>
    count ? evaluations.filter(pred).length / count : Number.NaN;
  const perLayer: CheckLayer[] = [];
  for (let i = 0; i < L; i++) {
    const ev = evaluations.map((e) => e.layers[i]);
    const rows = i + 1 < L ? evaluations.map((e) => e.layers[i + 1].s) : saturatedCounts.map((c) => n - c);
    const terms = Math.min(layers[i + 1].W.cols - 1, BABEL_TERMS);
    const babelAt = (k: number) => ev.map((l) => l.spark.babel[k]);
    const full = babel(normalizedGram(layers[i + 1].W, layers[i + 1].Wt));
    const fromCoherence = median(
      ev.map((l) => (Number.isFinite(l.spark.fromCoherence) ? l.spark.fromCoherence : Number.MAX_VALUE)),
    );
    const sparkValues = ev.map((l) => l.spark.lower);
    const sparkMedian = quantiles(
      sparkValues.map((v) => (Number.isFinite(v) ? v : Number.MAX_VALUE)),
      [0.5],
    )[0];
    perLayer.push({
      index: i + 1,
      n: layers[i].W.rows,
      sparsity: stats(ev.map((l) => l.s)),
      coherence: quantiles(
        ev.map((l) => l.coherence),
        [0.5],
      )[0],
      coherenceFull: coherenceFull[i],
      sparkLowerBound: sparkMedian === Number.MAX_VALUE ? null : sparkMedian,
      theorem1: { passFraction: frac((e) => e.layers[i].theorem1.holds) },
      theorem2: { passFraction: frac((e) => e.layers[i].theorem2.holds) },
      theorem3: {
        passFraction: frac((e) => e.layers[i].theorem3.holds),
        threshold: quantiles(
          ev.map((l) => (l.coherence > 0 ? 1 / (3 * l.coherence) : Number.MAX_VALUE)),
          [0.5],
        )[0],
      },
      ...(bounds.length
        ? {
            errorBound: quantiles(
              bounds.map((b) => b.layers[i]),
              [0.5],
            )[0],
          }
        : {}),
      histogram: histogram(ev.map((l) => l.s)),
      rows: count ? median(rows) : Number.NaN,
      babel: {
        median: Array.from({ length: terms }, (_, k) => (count ? median(babelAt(k)) : Number.NaN)),
        max: Array.from({ length: terms }, (_, k) =>
          count ? babelAt(k).reduce((a, b) => Math.max(a, b)) : Number.NaN,
        ),
        full: Array.from(full.subarray(0, terms)),
      },
      spark: {
        fromCoherence: fromCoherence === Number.MAX_VALUE ? null : fromCoherence,
        fromBabel: count ? median(ev.map((l) => l.spark.fromBabel)) : Number.NaN,
        fullColumnRank: fracOf((j) => ev[j].spark.fullColumnRank),
      },
      conditions: {
        spark: fracOf((j) => ev[j].s < ev[j].spark.lower / 2),
        upper: fracOf((j) => ev[j].s < rows[j]),
        coherence: fracOf((j) => ev[j].coherence === 0 || ev[j].s < 1 / (3 * ev[j].coherence)),
        ...(i === 0
          ? {
              rank: fracOf((j) => evaluations[j].rankFirst === n0 && n0 <= ev[j].s),
              lower: fracOf((j) => ev[j].s >= n0),
              fullRank: fracOf((j) => evaluations[j].rankFirst === n0),
            }
          : {}),
      },
    });
  }
  const theorems = {
    theorem1: { passFraction: frac((e) => e.theorem1) },
    theorem2: { passFraction: frac((e) => e.theorem2) },
    theorem3: { passFraction: frac((e) => e.theorem3) },
  };
  return {
    samples: count,
    n0,
    n,
    seed: spec.seed,
    stopReason,
    layers: perLayer,
    theorems,
    ...(bounds.length
      ? {
          zErrorBound: quantiles(
            bounds.map((b) => b.z),
            [0.5],
          )[0],
        }
      : {}),
    saturation: {
      tolerance,
      pixels: stats(saturatedCounts),
      fraction: count ? saturatedCounts.reduce((a, b) => a + b, 0) / (count * n) : 0,
    },
    verdict: verdict(perLayer, theorems, evaluations, saturatedCounts, n),
  };
}

/** Counts per distinct value, values ascending. */
function histogram(values: readonly number[]): { values: number[]; counts: number[] } {
  const sorted = [...values].sort((a, b) => a - b);
  const out = { values: [] as number[], counts: [] as number[] };
  for (const v of sorted) {
    const last = out.values.length - 1;
    if (last >= 0 && out.values[last] === v) out.counts[last]++;
    else {
      out.values.push(v);
      out.counts.push(1);
    }
  }
  return out;
}

/** The check's conclusion in plain words, naming the layer that fails most where a theorem does not certify. */
function verdict(
  layers: CheckLayer[],
  t: CheckReport['theorems'],
  evaluations: SignalEvaluation[],
  saturatedCounts: number[],
  n: number,
): string {
  const parts: string[] = [];
  const weakest = (key: 'theorem1' | 'theorem2' | 'theorem3') =>
    layers.reduce((worst, l) => (l[key].passFraction < worst[key].passFraction ? l : worst), layers[0]);
  const example = (key: 'theorem1' | 'theorem2' | 'theorem3', layer: number) =>
    evaluations.find((e) => !e.layers[layer - 1][key].holds)?.layers[layer - 1][key].failed[0];

  const t2 = t.theorem2.passFraction;
  parts.push(
    t2 === 1
      ? 'unique by Theorem 2 for 100% of samples (if the weights are i.i.d. Gaussian)'
      : `Theorem 2 (i.i.d. Gaussian weights) gives uniqueness for ${pct(t2)} of samples; it fails most at layer ${weakest('theorem2').index} (e.g. not ${example('theorem2', weakest('theorem2').index)})`,
  );
  const t1 = t.theorem1.passFraction;
  parts.push(
    t1 === 1
      ? 'Theorem 1 certifies 100% (for these weights, whatever their distribution)'
      : `Theorem 1 certifies ${pct(t1)}; it fails most at layer ${weakest('theorem1').index} (e.g. not ${example('theorem1', weakest('theorem1').index)})`,
  );
  const t3 = t.theorem3.passFraction;
  if (t3 === 1) parts.push("Theorem 3's worst-case recovery guarantee holds for 100%");
  else {
    const w = weakest('theorem3');
    parts.push(
      `Theorem 3's worst-case guarantee holds for ${t3 === 0 ? 'none' : pct(t3)} (layer ${w.index}: μ = ${w.coherence.toFixed(2)} needs s${sub(w.index)} < ${w.theorem3.threshold.toFixed(2)}, s${sub(w.index)} = ${w.sparsity.median})`,
    );
  }
  const saturated = quantiles(saturatedCounts, [0.5])[0];
  if (saturatedCounts.some((c) => c > 0))
    parts.push(
      `${saturated} of ${n} output pixels are saturated (median per sample): they only bound their pre-activation, so s${sub(layers.length)} is compared with the others`,
    );
  return parts.join('; ') + '.';
}
