/**
 * The `trained` job: the paper's Fig. 3 on a model file. Three invert
 * experiments on one model — every pixel known, 45% hidden at random, the
 * top rows hidden — cut into the invert job's chunks, setting after setting.
 */
import type { MaskSpec } from '../model/observation';
import type { MethodOptions } from '../pursuit/methods';
import type { MethodId } from '../pursuit/types';
import {
  invertChunk,
  invertChunkCount,
  mergeInvertChunks,
  type InvertBlock,
  type InvertJobSpec,
  type InvertProgress,
  type InvertReport,
} from './invert';
import type { Generator as Net } from '../model/generator';

export type TrainedSettingName = 'clean' | 'random' | 'rows';
export const TRAINED_SETTINGS: readonly TrainedSettingName[] = ['clean', 'random', 'rows'];

export interface TrainedSpec {
  readonly methods: readonly MethodId[];
  /** Signals per setting. @default 512 */
  readonly count: number;
  readonly seed: number;
  /** @default 1e-3 */
  readonly successThreshold: number;
  readonly options?: MethodOptions;
  /** Signals per chunk. @default 16 */
  readonly chunkSize: number;
}

export interface TrainedResult {
  kind: 'trained';
  settings: { name: TrainedSettingName; mask: MaskSpec; report: InvertReport }[];
}

/**
 * The rows hidden in the `rows` setting: the paper hides rows 0–12 of a 28×28
 * image; another square side s hides the top ⌈13·s/28⌉ rows, the same share.
 * @throws RangeError for an output that is not a square image.
 */
export function trainedRowsMask(outputSize: number): MaskSpec {
  const side = Math.round(Math.sqrt(outputSize));
  if (side * side !== outputSize)
    throw new RangeError(
      `a trained job hides the image's top rows, so the model's output must be a square image; it has ${outputSize} values`,
    );
  return { kind: 'rows', from: 0, to: Math.ceil((side * 13) / 28) - 1 };
}

/** The masks of the three settings, for a model with `outputSize` outputs. */
export function trainedMasks(outputSize: number): MaskSpec[] {
  return [{ kind: 'none' }, { kind: 'random', fraction: 0.45 }, trainedRowsMask(outputSize)];
}

/**
 * Setting s as an invert job. Every setting keeps the spec's seed, so the
 * three settings invert the same latents (chunk b draws the same z in each):
 * the settings differ only by what is hidden.
 */
export function trainedInvertSpec(spec: TrainedSpec, mask: MaskSpec): InvertJobSpec {
  return {
    methods: spec.methods,
    count: spec.count,
    seed: spec.seed,
    mask,
    noise: { kind: 'none' },
    successThreshold: spec.successThreshold,
    ...(spec.options !== undefined ? { options: spec.options } : {}),
    chunkSize: spec.chunkSize,
  };
}

const perSetting = (spec: TrainedSpec) => invertChunkCount(trainedInvertSpec(spec, { kind: 'none' }));

/** Chunks of a trained job: the invert job's chunks, once per setting. */
export function trainedChunkCount(spec: TrainedSpec): number {
  return TRAINED_SETTINGS.length * perSetting(spec);
}

/** Chunk k: setting ⌊k / per-setting⌋, block k mod per-setting. */
export function trainedChunkPlace(spec: TrainedSpec, k: number): { setting: number; block: number } {
  const total = trainedChunkCount(spec);
  if (!(Number.isInteger(k) && k >= 0 && k < total))
    throw new RangeError(`chunk ${k} does not exist (the job has ${total})`);
  const per = perSetting(spec);
  return { setting: Math.floor(k / per), block: k % per };
}

export function* trainedChunk(
  gen: Net,
  spec: TrainedSpec,
  k: number,
  now: () => number,
): Generator<InvertProgress, InvertBlock, void> {
  const { setting, block } = trainedChunkPlace(spec, k);
  const mask = trainedMasks(gen.layers[gen.layers.length - 1].W.rows)[setting];
  return yield* invertChunk(gen, { ...trainedInvertSpec(spec, mask), examples: true }, block, now);
}

/** The three settings' invert reports from the job's chunks, in chunk order. */
export function mergeTrainedChunks(gen: Net, spec: TrainedSpec, chunks: readonly InvertBlock[]): TrainedResult {
  const total = trainedChunkCount(spec);
  if (chunks.length !== total) throw new RangeError(`merge needs ${total} chunks, got ${chunks.length}`);
  const per = perSetting(spec);
  const masks = trainedMasks(gen.layers[gen.layers.length - 1].W.rows);
  return {
    kind: 'trained',
    settings: TRAINED_SETTINGS.map((name, s) => ({
      name,
      mask: masks[s],
      report: mergeInvertChunks(trainedInvertSpec(spec, masks[s]), chunks.slice(s * per, (s + 1) * per)),
    })),
  };
}
