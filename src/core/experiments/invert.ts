import { column } from '../linalg/dense';
import { productKernel } from '../linalg/gemm';
import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles, relativeError, snrDb } from '../metrics';
import { activationFunctions } from '../model/activations';
import { forward } from '../model/forward';
import type { Generator as Net } from '../model/generator';
import { observe, type MaskSpec, type NoiseSpec } from '../model/observation';
import { inversionSteps, type MethodOptions } from '../pursuit/methods';
import { prepare } from '../pursuit/prepared';
import { classifySaturation } from '../pursuit/saturation';
import type { MethodId, PhaseStop } from '../pursuit/types';
import { certifyUniqueness, type UniquenessCertificate } from '../theory/certificate';

/** SNRs are capped here: float64 recovery can be exact to the last bit, and JSON has no Infinity. */
export const SNR_CAP_DB = 400;

export interface InvertSpec {
  readonly methods: readonly MethodId[];
  /** Signals z ~ N(0, I). */
  readonly count: number;
  /**
   * Seeds the latents; noise and masks use derived seeds (seed + 1, seed + 2),
   * and gradient descent's random starts seed + 3 unless its options give one
   * (the same seed would start it from the true z).
   */
  readonly seed: number;
  readonly mask: MaskSpec;
  readonly noise: NoiseSpec;
  /** A signal is recovered when ‖ẑ − z‖/‖z‖ < this. @default 1e-3 */
  readonly successThreshold?: number;
  readonly options?: MethodOptions;
  /** Add each recovered signal's uniqueness certificate (theory/certificate.ts). @default false */
  readonly certify?: boolean;
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
    readonly successThreshold: number;
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
}

export interface InvertProgress {
  readonly method: MethodId;
  /** 0-based position of the method in the list. */
  readonly index: number;
  /** Fraction of this method done. */
  readonly fraction: number;
}

const cap = (v: number) => Math.min(v, SNR_CAP_DB);

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
  const threshold = spec.successThreshold ?? 1e-3;
  if (!(Number.isInteger(spec.count) && spec.count >= 1))
    throw new RangeError(`count must be a positive integer, got ${spec.count}`);
  if (spec.methods.length === 0) throw new RangeError('no method to run');
  const n0 = gen.inputDim;
  const z = matrix(n0, spec.count, createRng(spec.seed).fillGaussian(new Float64Array(n0 * spec.count)));
  const truth = forward(gen, z);
  const obs = observe(truth.output, spec.noise, spec.mask, spec.seed + 1);
  const prepared = prepare(gen);
  const saturation = classifySaturation(
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
      const p = i * spec.count + j;
      if ((obs.known === undefined || obs.known[p]) && saturation.side[p] === 0) rows.push(i);
    }
    return Int32Array.from(rows);
  };
  const methods: Partial<Record<MethodId, MethodOutcome>> = {};
  // GD's random starts must not be the latents' draws: seeded alike, a start would equal z.
  const startSeed = spec.seed + 3;
  const options: MethodOptions = {
    ...spec.options,
    gd: { seed: startSeed, ...spec.options?.gd },
    adam: { seed: startSeed, ...spec.options?.adam },
  };

  for (let index = 0; index < spec.methods.length; index++) {
    const method = spec.methods[index];
    const start = now();
    const steps = inversionSteps(gen, obs, method, options, truth.hidden);
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
        ...(spec.certify ? { certificate: certifyUniqueness(prepared, back.hidden, j, equationRows(j)) } : {}),
        saturated: s.saturated,
      };
    });
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
    yield { method, index, fraction: 1 };
  }
  return {
    settings: {
      count: spec.count,
      seed: spec.seed,
      mask: spec.mask,
      noise: spec.noise,
      successThreshold: threshold,
      kernel: productKernel().name,
      ...(saturation.range !== undefined
        ? {
            saturation: {
              tolerance: saturation.tolerance,
              above: saturation.above,
              below: saturation.below,
              pixels: (([p10, median, p90]) => ({ median, p10, p90 }))(
                quantiles(Array.from(saturation.counts), [0.1, 0.5, 0.9]),
              ),
            },
          }
        : {}),
    },
    methods,
  };
}
