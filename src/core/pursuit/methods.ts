import type { Matrix } from '../linalg/matrix';
import type { Generator as Net } from '../model/generator';
import type { Observation } from '../model/observation';
import { createContext } from './context';
import { gradientDescent, type GradientDescentOptions } from './gradientDescent';
import { latentPursuit, type LatentPursuitOptions } from './latentPursuit';
import { layeredBasisPursuit, type LayeredBasisPursuitOptions } from './layeredBasisPursuit';
import { endToEndOracle, layerwiseOracle } from './oracle';
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
}

/** Human names for tables and reports. */
export const METHOD_LABELS: Record<MethodId, string> = {
  lp: 'Latent-Pursuit',
  lbp: 'Layered Basis-Pursuit',
  oracle: 'Oracle (layer-wise)',
  'oracle-e2e': 'Oracle (end-to-end)',
  gd: 'Gradient descent',
  adam: 'Adam',
};

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
  switch (method) {
    case 'lp':
      return latentPursuit(ctx, options.lp);
    case 'lbp':
      return layeredBasisPursuit(ctx, options.lbp);
    case 'gd':
      return gradientDescent(ctx, { ...options.gd, optimizer: 'momentum' });
    case 'adam':
      return gradientDescent(ctx, { ...options.adam, optimizer: 'adam' });
    case 'oracle':
    case 'oracle-e2e':
      if (truth === undefined) throw new RangeError(`the ${method} method needs the true hidden layers (supports)`);
      return method === 'oracle' ? layerwiseOracle(ctx, truth) : endToEndOracle(ctx, truth);
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
