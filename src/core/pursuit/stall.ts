import { nearlySameSupport } from './support';

/** When an iterative phase counts as stalled (PhaseStop `stalled`). */
export interface StallRule {
  /** Iterations between checks; 0 turns the rule off. @default 100 */
  readonly window?: number;
  /** Stalled when the objective moved by at most this fraction of itself over a window. @default 1e-6 */
  readonly tolerance?: number;
}

/**
 * The stopping rule for iterations that approach their answer too slowly
 * for the change tolerance (noisy data, where the exact step's KKT check
 * rarely passes): every `window` iterations, a signal whose candidate
 * support is nearly the same as at the previous check (nearlySameSupport)
 * and whose objective F moved
 * by at most `tolerance`·F since then has stalled. Further iterations would
 * only polish digits that the next phase (an exact solve on that support,
 * the debiasing) recomputes. An objective of exactly 0 never stalls (it has
 * converged, and the change rule sees that).
 */
export function stallDetector(count: number, rule: StallRule = {}) {
  const window = rule.window ?? 100;
  const tolerance = rule.tolerance ?? 1e-6;
  if (!(Number.isInteger(window) && window >= 0))
    throw new RangeError(`stall window must be an integer ≥ 0, got ${window}`);
  if (!(tolerance >= 0)) throw new RangeError(`stall tolerance must be ≥ 0, got ${tolerance}`);
  const reference = new Float64Array(count).fill(Number.NaN);
  const supports: (Int32Array | undefined)[] = new Array(count).fill(undefined);
  return {
    /** Whether this iteration is a check (then call `stalled` for each running signal). */
    due: (iteration: number) => window > 0 && iteration % window === 0,
    /** Signal j's objective and candidate support at a check: has it stalled since the previous check? */
    stalled(j: number, objective: number, support: Int32Array): boolean {
      const previous = reference[j];
      const stalled =
        objective > 0 &&
        Math.abs(previous - objective) <= tolerance * objective &&
        nearlySameSupport(supports[j], support);
      reference[j] = objective;
      supports[j] = support;
      return stalled;
    },
    /** The rule as a sentence, for reports. */
    describe: () => `support unchanged and objective within ${tolerance} relative over ${window} iterations`,
  };
}
