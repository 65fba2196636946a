/**
 * The paper's experiments as ready-made jobs, for the CLI's `experiment
 * fig2|fig3|noise|cs` and the app's Experiments page: one definition, so both
 * run the same spec. `cs` goes past the paper: compressed sensing with a
 * Gaussian A over a grid of m (core/experiments/sensing.ts).
 */
import type { MethodId } from '../core/pursuit/types';

/** The paper's step grid for gradient descent on random networks (options.gd.stepGrid; core/pursuit/protocol.ts). */
export const PAPER_STEP_GRID: readonly number[] = [1e-1, 1, 1e1, 1e2, 1e3, 1e4];
/** The paper's λ grid for Layered Basis-Pursuit (options.lbp.lambdaGrid). */
export const PAPER_LAMBDA_GRID: readonly number[] = [1e-5, 7e-6, 3e-6, 1e-6, 0];

export const PRESETS = ['fig2', 'fig3', 'noise', 'cs'] as const;

/** The cs preset's model: the paper's random family with n₀ = 20 and s_L ≈ n₁/2 = 100 active units, n = 625 (25 × 25). */
export const CS_MODEL = 'random:20,200,625:tanh';
/** The cs preset's m grid: from below n₀ to every pixel, doubling. */
export const CS_M: readonly number[] = [10, 20, 40, 80, 160, 320, 625];
export type Preset = (typeof PRESETS)[number];

export interface PresetOptions {
  /** fig3 and noise: the model (a path, a model id or a random: spec); fig2 takes none. */
  readonly model?: string;
  /** A smoke run: 32 signals, a small grid, short GD. */
  readonly quick: boolean;
  readonly count?: number;
  readonly seed?: number;
  readonly methods?: readonly MethodId[];
  /** fig2 only: GD's step and LBP's λ chosen per signal from the paper's grids. */
  readonly paperProtocol?: boolean;
  /** cs only: the measurement counts m. */
  readonly m?: readonly number[];
}

/**
 * The job of a preset, as a raw spec (normalizeJobSpec fills in the rest):
 * the paper's settings, or with `quick` a few seconds' worth.
 * @throws RangeError for an option the preset does not take.
 */
export function presetSpec(preset: Preset, flags: PresetOptions): Record<string, unknown> {
  const common = {
    ...(flags.count !== undefined ? { count: flags.count } : flags.quick ? { count: 32 } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.methods !== undefined ? { methods: [...flags.methods] } : {}),
  };
  if (preset === 'fig2') {
    if (flags.model !== undefined) throw new RangeError('fig2 draws random models: it takes no model');
    // Two grid points each side of s1 ≈ n1/2 = n0, and GD short: enough to see the transition.
    const gd = flags.quick ? { maxIterations: 300, restarts: 1 } : {};
    // The paper's per-signal choices: GD's smallest converging step (with the paper's schedule,
    // halved every 2,500 iterations), LBP's best λ (core/pursuit/protocol.ts).
    // gd-clip (Lipton & Tripathi) is GD plus its clipping: it gets GD's settings, so only the clipping differs.
    const paperGd = { ...gd, stepGrid: PAPER_STEP_GRID, schedule: 'step' };
    const protocol = flags.paperProtocol
      ? { gd: paperGd, gdClip: paperGd, lbp: { lambdaGrid: PAPER_LAMBDA_GRID } }
      : flags.quick
        ? { gd, gdClip: gd }
        : undefined;
    return {
      kind: 'sweep',
      ...(flags.quick ? { n0: [100], n1: [50, 150, 300, 450], chunkSize: 16 } : {}),
      ...(protocol !== undefined ? { options: protocol } : {}),
      ...common,
    };
  }
  if (flags.paperProtocol) throw new RangeError('the paper protocol is that of fig2 (the random-weight sweep)');
  if (preset === 'cs')
    return {
      kind: 'sensing',
      model: flags.model ?? CS_MODEL,
      m: [...(flags.m ?? (flags.quick ? [10, 40, 160, 625] : CS_M))],
      ...common,
      // Quick: 8 signals unless --count says otherwise (common's quick default, 32, is the paper presets').
      ...(flags.quick ? { count: flags.count ?? 8, chunkSize: 4, options: { gd: { maxIterations: 2000 } } } : {}),
    };
  if (flags.m !== undefined) throw new RangeError('the m grid is that of cs (compressed sensing)');
  if (flags.model === undefined) throw new RangeError(`${preset} needs a model`);
  if (preset === 'fig3') return { kind: 'trained', model: flags.model, ...common };
  return { kind: 'noise', model: flags.model, ...(flags.quick ? { sigmas: [1e-3, 1e-2, 0.1, 0.3] } : {}), ...common };
}
