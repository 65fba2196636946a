import type { Matrix } from '../linalg/matrix';

/** Every inversion method Pursuit Lab runs. */
export type MethodId = 'lp' | 'lbp' | 'oracle' | 'oracle-e2e' | 'gd' | 'adam' | 'lei' | 'gd-clip' | 'hybrid';

export const METHOD_IDS: readonly MethodId[] = [
  'lp',
  'lbp',
  'oracle',
  'oracle-e2e',
  'gd',
  'adam',
  'lei',
  'gd-clip',
  'hybrid',
];

/** Why one phase of one signal stopped. */
export type PhaseStop =
  /** A closed-form solve (least squares on known supports). */
  | 'exact'
  /** The exact solve on the settled support passed the problem's KKT conditions. */
  | 'kkt'
  /** Relative change of the iterate fell below the tolerance. */
  | 'converged'
  /** Gradient norm fell below the tolerance (gradient descent). */
  | 'gradient'
  /**
   * The support stopped changing and the objective stopped falling (less than
   * a stated relative amount over a stated window of iterations) before the
   * iterate's change met its tolerance: further iterations would only polish
   * digits that the next phase recomputes exactly on that support.
   */
  | 'stalled'
  /**
   * A deliberately short run, to a stated iteration budget, whose iterate only
   * starts a later phase that decides the answer (the note says which).
   */
  | 'rough-start'
  | 'max-iterations'
  /** A numerical failure (e.g. a singular system); the note says which. */
  | 'failed'
  | 'cancelled';

/**
 * Signals whose phase only needs a rough iterate, which a later phase corrects: they try no
 * exact step and stop after `iterations` (`rough-start`, with `note`), unless an earlier rule
 * stops them first.
 */
export interface RoughStart {
  readonly signals: Uint8Array;
  readonly iterations: number;
  readonly note: (j: number) => string;
}

/** One phase (a layer's sub-problem, or the debiasing) of one signal. */
export interface PhaseReport {
  /** e.g. `layer 2 (FISTA)`, `z (ADMM)`, `debias`. */
  readonly phase: string;
  readonly iterations: number;
  readonly stopReason: PhaseStop;
  /** Objective value per iteration (thinned to at most a few hundred points; NaN where an exact step replaced the iterate). */
  readonly history: number[];
  /**
   * The phase's data term per iteration — its objective without the penalty
   * (λ‖x‖₁, the γ prior), e.g. ½‖y − φ(W x + b)‖² for the last layer —
   * recorded at exactly the iterations of `history`, so the two have one
   * length and misfit ≤ objective point by point (equal where λ = γ = 0).
   */
  readonly misfit: number[];
  /** Anything the user should know: a fallback taken, a check that failed. */
  readonly note?: string;
}

export interface SignalReport {
  /** Iterations over all phases. */
  readonly iterations: number;
  /** The worst stop of all phases (failed > cancelled > max-iterations > the rest). */
  readonly stopReason: PhaseStop;
  readonly phases: PhaseReport[];
  /** Final data misfit ½‖M(y − G(ẑ))‖² recomputed through the generator (saturated pixels: distance to their interval). */
  readonly residual: number;
  /** Known pixels read as saturated (one-sided bounds on their pre-activation, not equations). */
  readonly saturated: number;
}

/** A grid's choice for one signal. */
/** Set by the paper's grid protocols (protocol.ts). */
export interface ParameterChoice {
  readonly parameter: 'step' | 'lambda';
  readonly value: number;
  /** Grid values run on this signal. */
  readonly tried: number;
  /** False when no value met the rule (a step grid where no run reached the gradient tolerance): the lowest misfit was kept. */
  readonly met: boolean;
}

/** Which path of the hybrid pursuit (hybrid.ts) gave a signal's answer. */
export type HybridPath = 'lp' | 'gd-from-lp' | 'gd-random';

export interface HybridChoice {
  readonly path: HybridPath;
  /** `gd-random`: which random start (1-based). */
  readonly start?: number;
  /** Whether the Gauss–Newton polish after the descent lowered the misfit. */
  readonly polished: boolean;
  /** With the `certify` option: Theorem 1's certificate of the kept answer, where it was checked (it fit, and n_L ≤ known pixels). */
  readonly certified?: boolean;
  /** Candidates tried for this signal. */
  readonly tried: number;
}

export interface InversionResult {
  readonly method: MethodId;
  /** n₀ × count: the recovered latent vectors. */
  readonly z: Matrix;
  /** The method's own estimates x̂₁ … x̂_L (n_i × count); empty for methods that only estimate z. */
  readonly layers: Matrix[];
  /** Relative support tolerance used: x_i counts as active when |x_i| > tol · ‖x‖∞. */
  readonly supportTolerance: number;
  /** How saturated pixels were read: τ and the pre-activation thresholds θ⁺ = φ⁻¹(hi − τ), θ⁻ = φ⁻¹(lo + τ) (saturation.ts). */
  readonly saturation: { readonly tolerance: number; readonly above: number; readonly below: number };
  readonly signals: SignalReport[];
  /** Per signal, the value a grid protocol chose (GD's `stepGrid`, LBP's `lambdaGrid`); absent otherwise. */
  readonly choices?: ParameterChoice[];
  /** Per signal, the hybrid pursuit's winning path; absent for other methods. */
  readonly paths?: HybridChoice[];
}

const SEVERITY: Record<PhaseStop, number> = {
  exact: 0,
  kkt: 0,
  converged: 1,
  gradient: 1,
  stalled: 1,
  'rough-start': 1,
  'max-iterations': 2,
  cancelled: 3,
  failed: 4,
};

/** The overall stop of a signal: its worst phase. */
export function worstStop(phases: readonly PhaseReport[]): PhaseStop {
  let worst: PhaseStop = phases[0]?.stopReason ?? 'exact';
  for (const p of phases) if (SEVERITY[p.stopReason] > SEVERITY[worst]) worst = p.stopReason;
  return worst;
}

/** A phase's two per-iteration records, kept in step (recordHistory). */
export interface PhaseHistory {
  readonly history: number[];
  readonly misfit: number[];
}

export const emptyHistory = (): PhaseHistory => ({ history: [], misfit: [] });

/**
 * Keeps a phase's history short: every iteration up to 100, then every 10th,
 * then every 100th — the objective and the misfit at the same iterations.
 */
export function recordHistory(h: PhaseHistory, iteration: number, objective: number, misfit: number): void {
  if (iteration <= 100 || (iteration <= 1000 && iteration % 10 === 0) || iteration % 100 === 0) {
    h.history.push(objective);
    h.misfit.push(misfit);
  }
}

/** The one-point history of a closed-form phase: its objective and misfit at its solution. */
export const onePoint = (objective: number, misfit: number): PhaseHistory => ({
  history: [objective],
  misfit: [misfit],
});
