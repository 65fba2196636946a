import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles } from '../metrics';
import { forward } from '../model/forward';
import type { Generator } from '../model/generator';
import { activationFunctions } from '../model/activations';
import { prepare } from '../pursuit/prepared';
import { classifySaturation } from '../pursuit/saturation';
import { normalizedGram, mutualCoherence } from '../theory/coherence';
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
}

export interface CheckReport {
  readonly samples: number;
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

/**
 * The invertibility check: samples latents, reads each sample's supports
 * from the forward pass and evaluates Theorems 1–3 on them (see
 * theory/theorems.ts), then aggregates per layer and per theorem — a
 * theorem's overall pass fraction is the fraction of samples for which all of
 * its layer conditions hold — and writes a verdict in plain words.
 */
export function createCheck(gen: Generator, spec: CheckSpec): Stepper<CheckReport> {
  const { samples, seed } = spec;
  const chunk = spec.chunkSize ?? 16;
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= 100_000))
    throw new RangeError(`samples must be an integer from 1 to 100000, got ${samples}`);
  const sigma = spec.noise ?? 0;
  if (!(sigma >= 0)) throw new RangeError(`noise must be ≥ 0, got ${sigma}`);
  const layers = prepare(gen);
  const L = layers.length - 1;
  const n = layers[L].W.rows;
  const phi = activationFunctions(gen.output);
  const rng = createRng(seed);
  const saturatedCounts: number[] = [];
  let tolerance = 0;
  const evaluations: SignalEvaluation[] = [];
  const bounds: { layers: number[]; z: number }[] = [];
  const coherenceFull = layers.slice(1).map((l) => mutualCoherence(normalizedGram(l.W, l.Wt)));
  let done = 0;

  return {
    total: samples,
    get done() {
      return done;
    },
    step() {
      const k = Math.min(chunk, samples - done);
      const z = matrix(gen.inputDim, k);
      for (let j = 0; j < k; j++) for (let i = 0; i < gen.inputDim; i++) z.data[i * k + j] = rng.gaussian();
      const pass = forward(gen, z);
      const sat = classifySaturation(pass.output, undefined, gen.output, phi, spec.saturationTolerance);
      tolerance = sat.tolerance;
      for (let j = 0; j < k; j++) {
        const knownRows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => sat.side[i * k + j] === 0);
        saturatedCounts.push(sat.counts[j]);
        const supports = pass.hidden.map((x) => {
          const s: number[] = [];
          for (let i = 0; i < x.rows; i++) if (x.data[i * k + j] > 0) s.push(i);
          return Int32Array.from(s);
        });
        const sig = { supports, knownRows };
        evaluations.push(evaluateSignal(layers, sig));
        if (sigma > 0) bounds.push(theorem3Bounds(layers, sig, sigma * Math.sqrt(knownRows.length), 1));
      }
      done += k;
    },
    result(stopReason) {
      const count = evaluations.length;
      const frac = (pred: (e: SignalEvaluation) => boolean) =>
        count ? evaluations.filter(pred).length / count : Number.NaN;
      const perLayer: CheckLayer[] = [];
      for (let i = 0; i < L; i++) {
        const ev = evaluations.map((e) => e.layers[i]);
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
        });
      }
      const theorems = {
        theorem1: { passFraction: frac((e) => e.theorem1) },
        theorem2: { passFraction: frac((e) => e.theorem2) },
        theorem3: { passFraction: frac((e) => e.theorem3) },
      };
      return {
        samples: count,
        seed,
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
    },
  };
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
      `Theorem 3's worst-case guarantee holds for ${t3 === 0 ? 'none' : pct(t3)} (layer ${w.index}: μ = ${w.coherence.toFixed(2)} needs s_${w.index} < ${w.theorem3.threshold.toFixed(2)}, s_${w.index} = ${w.sparsity.median})`,
    );
  }
  const saturated = quantiles(saturatedCounts, [0.5])[0];
  if (saturatedCounts.some((c) => c > 0))
    parts.push(
      `${saturated} of ${n} output pixels are saturated (median per sample): they only bound their pre-activation, so s_L is compared with the others`,
    );
  return parts.join('; ') + '.';
}
