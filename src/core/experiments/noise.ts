/**
 * The `noise` job: SNR(z) and SNR(image) against the noise level σ, per
 * method, with Theorem 4's bounds on the Oracle's error as a reference band.
 * Chunk k < sigmas.length is σ_k (all `count` signals); the last chunk
 * evaluates Theorem 4's bounds, which scale as σ², once.
 */
import { column } from '../linalg/dense';
import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles } from '../metrics';
import { forward } from '../model/forward';
import type { Generator as Net } from '../model/generator';
import type { MethodOptions } from '../pursuit/methods';
import { prepare } from '../pursuit/prepared';
import type { MethodId } from '../pursuit/types';
import { theorem4Bounds } from '../theory/theorems';
import { invertChunk } from './invert';

export interface NoiseSpec {
  /** Noise levels σ (Gaussian, on the known pixels). @default 8 points log-spaced from 1e-3 to 0.3 */
  readonly sigmas: readonly number[];
  /** @default ["lp", "lbp", "oracle-e2e"] */
  readonly methods: readonly MethodId[];
  /** Signals per σ. @default 128 */
  readonly count: number;
  readonly seed: number;
  /** @default 1e-3 */
  readonly successThreshold: number;
  readonly options?: MethodOptions;
  /** Signals on which Theorem 4's bounds are evaluated (an eigenvalue problem per layer each). @default 16 */
  readonly boundSignals: number;
}

export interface Spread {
  p10: number;
  p50: number;
  p90: number;
}

export interface NoisePoint {
  sigma: number;
  methods: Partial<Record<MethodId, { successRate: number; seconds: number; snrZ: Spread; snrImage: Spread }>>;
  /**
   * Theorem 4 as SNR(z) in dB: 10·log10(‖z‖² / bound) with the bound on
   * E‖ẑ − z‖², median over the bound signals; `low` from the upper error bound.
   */
  theorem4: { snrZ: { low: number; high: number } };
}

export interface NoiseResult {
  kind: 'noise';
  settings: {
    sigmas: number[];
    methods: MethodId[];
    count: number;
    seed: number;
    successThreshold: number;
    boundSignals: number;
  };
  points: NoisePoint[];
}

/** A σ chunk: the point without its Theorem 4 band. */
export interface NoiseSigmaChunk {
  readonly type: 'sigma';
  readonly point: Omit<NoisePoint, 'theorem4'>;
}

/** The bound chunk: per bound signal, 10·log10(‖z‖²/B) for B the lower and upper bounds at σ = 1. */
export interface NoiseBoundChunk {
  readonly type: 'theorem4';
  readonly unitSnrLow: number[];
  readonly unitSnrHigh: number[];
}

export type NoiseChunk = NoiseSigmaChunk | NoiseBoundChunk;

/** `points` values log-spaced from `from` to `to`, both included. */
export function logGrid(from: number, to: number, points: number): number[] {
  if (points === 1) return [from];
  return Array.from({ length: points }, (_, i) => from * Math.pow(to / from, i / (points - 1)));
}

export const DEFAULT_NOISE_SIGMAS: readonly number[] = logGrid(1e-3, 0.3, 8);

export function noiseChunkCount(spec: NoiseSpec): number {
  return spec.sigmas.length + 1;
}

const spread = (values: readonly number[]): Spread => {
  const [p10, p50, p90] = quantiles(values, [0.1, 0.5, 0.9]);
  return { p10, p50, p90 };
};

/**
 * Chunk k. Every σ inverts the same latents with the same noise draw, scaled
 * by σ (seed kept for every chunk: common random numbers), so the curves
 * against σ show σ's effect and not the draw's.
 */
export function noiseChunk(gen: Net, spec: NoiseSpec, k: number, now: () => number): NoiseChunk {
  const total = noiseChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the job has ${total})`);
  if (k === spec.sigmas.length) return boundChunk(gen, spec);
  const sigma = spec.sigmas[k];
  const steps = invertChunk(
    gen,
    {
      methods: spec.methods,
      count: spec.count,
      seed: spec.seed,
      mask: { kind: 'none' },
      noise: { kind: 'gaussian', sigma },
      successThreshold: spec.successThreshold,
      ...(spec.options !== undefined ? { options: spec.options } : {}),
      chunkSize: spec.count,
    },
    0,
    now,
  );
  let next = steps.next();
  while (!next.done) next = steps.next();
  const methods: NoiseSigmaChunk['point']['methods'] = {};
  for (const method of spec.methods) {
    const { seconds, signals } = next.value.methods[method]!;
    methods[method] = {
      successRate: signals.filter((s) => s.relErrZ < spec.successThreshold).length / signals.length,
      seconds,
      snrZ: spread(signals.map((s) => s.snrZ)),
      snrImage: spread(signals.map((s) => s.snrImage)),
    };
  }
  return { type: 'sigma', point: { sigma, methods } };
}

/**
 * Theorem 4 at σ = 1 on the first `boundSignals` of the latents the σ chunks
 * invert, with their true supports and every pixel known. The theorem is for
 * identity φ; for another φ it is the bound of the linear model in W (no φ'
 * factor), a reference band and not a guarantee.
 */
function boundChunk(gen: Net, spec: NoiseSpec): NoiseBoundChunk {
  const n0 = gen.inputDim;
  const m = Math.min(spec.boundSignals, spec.count);
  // The latents are the first columns' worth of what the σ chunks draw: the same stream, read as n0 × count.
  const all = createRng(spec.seed).fillGaussian(new Float64Array(n0 * spec.count));
  const z = matrix(n0, spec.count, all);
  const hidden = forward(gen, z).hidden;
  const layers = prepare(gen);
  const n = gen.layers[gen.layers.length - 1].W.rows;
  const knownRows = Int32Array.from({ length: n }, (_, i) => i);
  const unitSnrLow: number[] = [];
  const unitSnrHigh: number[] = [];
  for (let j = 0; j < m; j++) {
    const supports = hidden.map((x) => {
      const col = column(x, j);
      const s: number[] = [];
      col.forEach((v, i) => {
        if (v > 0) s.push(i);
      });
      return Int32Array.from(s);
    });
    const [zBound] = theorem4Bounds(layers, { supports, knownRows }, 1);
    let energy = 0;
    for (const v of column(z, j)) energy += v * v;
    unitSnrLow.push(10 * Math.log10(energy / zBound.upper));
    unitSnrHigh.push(10 * Math.log10(energy / zBound.lower));
  }
  return { type: 'theorem4', unitSnrLow, unitSnrHigh };
}

/** The noise result from its chunks in chunk order (σ's, then the bound chunk). */
export function mergeNoiseChunks(spec: NoiseSpec, chunks: readonly NoiseChunk[]): NoiseResult {
  const total = noiseChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  return partialNoise(spec, chunks);
}

/**
 * What a noise job shows while it runs: the σ's whose chunk is finished
 * (`chunks[k]` undefined for one not done yet), each exactly as the finished
 * job will have it; until the Theorem 4 chunk is done, the band is NaN (no
 * band is drawn).
 */
export function partialNoise(spec: NoiseSpec, chunks: readonly (NoiseChunk | undefined)[]): NoiseResult {
  const total = noiseChunkCount(spec);
  const bound = chunks[total - 1];
  if (bound !== undefined && bound.type !== 'theorem4')
    throw new RangeError('the last chunk of a noise job must be its Theorem 4 chunk');
  // SNR = 10·log10(‖z‖²/(σ²B₁)) = unit SNR − 20·log10 σ; an empty or unbounded band stays as the numbers say.
  const low = bound === undefined ? NaN : quantiles(bound.unitSnrLow, [0.5])[0];
  const high = bound === undefined ? NaN : quantiles(bound.unitSnrHigh, [0.5])[0];
  return {
    kind: 'noise',
    settings: {
      sigmas: [...spec.sigmas],
      methods: [...spec.methods],
      count: spec.count,
      seed: spec.seed,
      successThreshold: spec.successThreshold,
      boundSignals: spec.boundSignals,
    },
    points: chunks
      .slice(0, total - 1)
      .filter((c): c is NoiseChunk => c !== undefined)
      .map((c) => {
        if (c.type !== 'sigma') throw new RangeError('a noise job has its Theorem 4 chunk last');
        const shift = 20 * Math.log10(c.point.sigma);
        return { ...c.point, theorem4: { snrZ: { low: low - shift, high: high - shift } } };
      }),
  };
}
