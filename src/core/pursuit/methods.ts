import type { Matrix } from '../linalg/matrix';
import type { Generator as Net } from '../model/generator';
import type { Observation } from '../model/observation';
import { createContext } from './context';
import { gradientDescent, type GradientDescentOptions } from './gradientDescent';
import { leiInversion, type LeiOptions } from './lei';
import { hybridPursuit, type HybridOptions } from './hybrid';
import { latentPursuit, type LatentPursuitOptions } from './latentPursuit';
import { layeredBasisPursuit, type LayeredBasisPursuitOptions } from './layeredBasisPursuit';
import { endToEndOracle, layerwiseOracle } from './oracle';
import { selectColumns, selectPerSignal, type GridRule } from './protocol';
import type { InversionResult, MethodId } from './types';

/** Options of every method, each optional; one object configures a whole comparison. */
export interface MethodOptions {
  /**
   * τ of saturation.ts, shared by every method (they all see the same
   * observations): a known pixel within τ of an edge of φ's range is a
   * one-sided bound on its pre-activation, not an equation.
   * @default √ε·(hi − lo) for tanh and sigmoid (2.98e-8 for tanh); unused for unbounded φ
   */
  readonly saturationTolerance?: number;
  readonly lp?: LatentPursuitOptions;
  readonly lbp?: LayeredBasisPursuitOptions;
  readonly gd?: GradientDescentOptions;
  readonly adam?: GradientDescentOptions;
  readonly lei?: LeiOptions;
  /** `gd-clip`: momentum gradient descent with stochastic clipping; clipRange defaults to 4 (gradientDescent.ts). */
  readonly gdClip?: GradientDescentOptions;
  readonly hybrid?: HybridOptions;
}

/** Lipton & Tripathi's clip range for our N(0, I) latents (see GradientDescentOptions.clipRange). */
export const GD_CLIP_RANGE = 4;

/** A grid option: a non-empty list of finite numbers ≥ min. */
function checkGrid(name: string, grid: readonly number[], min: number): void {
  if (!(
    Array.isArray(grid) &&
    grid.length > 0 &&
    grid.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min)
  ))
    throw new RangeError(
      `${name} must be a non-empty list of numbers ≥ ${min === 0 ? 0 : '0 (exclusive)'}, got ${JSON.stringify(grid)}`,
    );
}

/**
 * Methods that need φ⁻¹ of every observed pixel: under a measurement matrix only where φ is the
 * identity (folded). A new method that inverts φ pixel by pixel belongs here.
 */
export const PIXELWISE: readonly MethodId[] = ['lbp', 'oracle', 'lei'];

/** Human names for tables and reports. */
export const METHOD_LABELS: Record<MethodId, string> = {
  lp: 'Latent-Pursuit',
  lbp: 'Layered Basis-Pursuit',
  oracle: 'Oracle (layer-wise)',
  'oracle-e2e': 'Oracle (end-to-end)',
  gd: 'Gradient descent',
  adam: 'Adam',
  lei: 'Lei et al. (2019) LP',
  'gd-clip': 'GD + stochastic clipping (Lipton & Tripathi 2017)',
  hybrid: 'Hybrid pursuit',
};

/** The same run under another method id (`gd-clip` is gradient descent with an option). */
function* relabel(
  method: MethodId,
  steps: Generator<number, InversionResult, void>,
): Generator<number, InversionResult, void> {
  const result = yield* steps;
  return { ...result, method };
}

/**
 * Step-wise form of any method: a generator that yields progress in [0, 1]
 * between iterations and returns the result. The oracles need the true
 * hidden layers (`truth`, from the clean forward pass); the others ignore it.
 */
export function inversionSteps(
  gen: Net,
  obs: Observation,
  method: MethodId,
  options: MethodOptions = {},
  truth?: readonly Matrix[],
): Generator<number, InversionResult, void> {
  const ctx = createContext(gen, obs, options.saturationTolerance);
  // Under A with an identity φ the context has folded A into the generator; otherwise a method that inverts φ pixel by pixel cannot run.
  if (ctx.measure !== undefined && PIXELWISE.includes(method))
    throw new RangeError(
      `method ${method} does not support a measurement matrix with φ = ${gen.output.kind}: it solves on φ⁻¹(y) pixel by pixel, ` +
        'and each of the m measurements mixes every pixel (it runs under A only where φ is the identity)',
    );
  const on = (subset: Observation) => (subset === obs ? ctx : createContext(gen, subset, options.saturationTolerance));
  switch (method) {
    case 'lp':
      return latentPursuit(ctx, options.lp);
    case 'lbp': {
      const { lambdaGrid, ...lbp } = options.lbp ?? {};
      if (lambdaGrid === undefined) return layeredBasisPursuit(ctx, lbp);
      checkGrid('lbp.lambdaGrid', lambdaGrid, 0);
      return selectPerSignal(obs, { parameter: 'lambda', grid: lambdaGrid, mode: 'lowest-misfit' }, (subset, lambda) =>
        layeredBasisPursuit(on(subset), { ...lbp, lambda }),
      );
    }
    case 'gd':
      return momentumDescent(options.gd ?? {});
    case 'gd-clip':
      return relabel('gd-clip', momentumDescent({ clipRange: GD_CLIP_RANGE, ...options.gdClip }));
    case 'lei':
      return leiInversion(ctx, options.lei);
    case 'adam':
      return gradientDescent(ctx, { ...options.adam, optimizer: 'adam' });
    case 'hybrid':
      return hybridPursuit(ctx, options.hybrid);
    case 'oracle':
    case 'oracle-e2e':
      if (truth === undefined) throw new RangeError(`the ${method} method needs the true hidden layers (supports)`);
      return method === 'oracle' ? layerwiseOracle(ctx, truth) : endToEndOracle(ctx, truth);
  }

  /** Momentum gradient descent, over a step grid when the options give one (the paper's Fig. 2 protocol). */
  function momentumDescent(options: GradientDescentOptions): Generator<number, InversionResult, void> {
    const { stepGrid, ...gd } = { ...options, optimizer: 'momentum' as const };
    if (stepGrid === undefined) return gradientDescent(ctx, gd);
    checkGrid('gd.stepGrid', stepGrid, Number.MIN_VALUE);
    const rule: GridRule = {
      parameter: 'step',
      grid: stepGrid,
      mode: 'first-meeting',
      meets: (s) => s.stopReason === 'gradient',
    };
    return selectPerSignal(obs, rule, (subset, step, cols) =>
      gradientDescent(on(subset), {
        ...gd,
        step,
        ...(gd.init !== undefined ? { init: selectColumns(gd.init, cols) } : {}),
      }),
    );
  }
}

/** Runs a method to the end (tests, small runs). */
export function invert(
  gen: Net,
  obs: Observation,
  method: MethodId,
  options: MethodOptions = {},
  truth?: readonly Matrix[],
): InversionResult {
  const steps = inversionSteps(gen, obs, method, options, truth);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
