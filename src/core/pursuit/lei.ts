import type { Highs } from 'highs';
import { matrix, type Matrix } from '../linalg/matrix';
import { assembleResult, outputSystem, type InversionContext } from './context';
import { highsSolver } from './highs';
import type { InversionResult, PhaseReport } from './types';

/**
 * Lei, Jalal, Dhillon & Dimakis (2019), "Inverting deep generative models,
 * one layer at a time" (NeurIPS 2019, arXiv:1906.07437): invert a ReLU
 * generator one layer at a time, from the output back to z, each layer by one
 * linear program. A ReLU layer x⁺ = ReLU(W x + b) with x⁺ known is a set of
 * linear constraints on x: W x + b = x⁺ on supp(x⁺), W x + b ≤ 0 off it (the
 * paper's realizable-case LP; with expansive random layers its only solution
 * is the true x). Under noise the paper bounds the ℓ∞ error instead, which
 * is again an LP with one slack t (restated here from that analysis; this
 * comment, not the paper, is the statement of what is solved). Per signal and
 * layer, with u the layer's input (u ≥ 0 for a hidden layer, free for z):
 *
 *   minimise t  over u, t ≥ 0, subject to
 *     |w_r·u + b_r − x⁺_r| ≤ t   for x⁺_r above the cut       (two rows each)
 *      w_r·u + b_r ≤ x⁺_r + t    for the other rows (x⁺_r = 0: ≤ t)
 *
 * with the cut max(tol·‖x⁺‖∞, τ): τ = 0 first, then raised to the optimal t
 * while that exceeds it (solveReluLayer: x⁺ is itself an estimate, and its
 * noise on true zeros must not become equations). With `slack: false` t is
 * fixed at 0 and τ stays 0: the paper's feasibility LP, infeasible as soon as
 * noise puts the data outside the layer's range. A previous LP's vertex has
 * off-support entries that are exact zeros up to rounding, hence tol (1e-6).
 *
 * The output layer has no ReLU but φ: on the known pixels y = φ(W x + b) is
 * inverted first, p_r = φ⁻¹(y_r), giving equation rows |w_r·u + b_r − p_r| ≤ t;
 * a saturated pixel (saturation.ts) is a one-sided bound, w_r·u + b_r ≥ θ⁺ − t
 * or ≤ θ⁻ + t; unknown pixels (masks) give no row at all.
 *
 * HiGHS's dual simplex solves each LP (`solver: 'simplex'`): a vertex solves
 * a square subsystem of the tight rows exactly, which is what makes the
 * recovery exact to rounding where the LP's solution is unique.
 * Stopping rule, per layer: HiGHS's own (an optimal basis within its primal
 * and dual feasibility tolerances, 1e-7) → `exact`; any other model status
 * (infeasible, unbounded, a limit) → `failed`, with HiGHS's status in the note,
 * and the layers below it are not attempted (ẑ is left at 0 for that signal);
 * a ReLU layer whose threshold iteration reaches MAX_THRESHOLD_ROUNDS LPs
 * keeps its last LP's answer and stops as `max-iterations`.
 */
export interface LeiOptions {
  /** Minimise the ℓ∞ slack t (robust to noise); false: t = 0, the realizable-case feasibility LP. @default true */
  readonly slack?: boolean;
  /** Relative support tolerance on each recovered hidden layer. @default 1e-6 */
  readonly supportTolerance?: number;
  /** HiGHS's time limit per LP, seconds. @default Infinity */
  readonly timeLimit?: number;
}

function checkLeiOptions(o: LeiOptions = {}) {
  const r = {
    slack: o.slack ?? true,
    supportTolerance: o.supportTolerance ?? 1e-6,
    timeLimit: o.timeLimit ?? Number.POSITIVE_INFINITY,
  };
  if (typeof r.slack !== 'boolean') throw new RangeError(`lei.slack must be true or false, got ${String(r.slack)}`);
  if (!(r.supportTolerance > 0 && r.supportTolerance < 1))
    throw new RangeError(`lei.supportTolerance must be in (0, 1), got ${r.supportTolerance}`);
  if (!(r.timeLimit > 0)) throw new RangeError(`lei.timeLimit must be > 0 seconds, got ${r.timeLimit}`);
  return r;
}

/** The rows of one layer's LP, as targets c_r = (what w_r·u should be) indexed like W's rows. */
export interface LayerRows {
  /** |w_r·u − c_r| ≤ t. */
  readonly equations: Int32Array;
  /** w_r·u ≥ c_r − t. */
  readonly above: Int32Array;
  /** w_r·u ≤ c_r + t. */
  readonly below: Int32Array;
  readonly target: Float64Array;
}

export interface LayerLpResult {
  /** HiGHS's model status name ('Optimal', 'Infeasible', …). */
  readonly status: string;
  readonly optimal: boolean;
  /** The layer's input u (zeros unless optimal). */
  readonly u: Float64Array;
  /** The optimal slack t (0 with slack off). */
  readonly t: number;
  readonly iterations: number;
}

const statusNames = (h: Highs) => new Map(Object.entries(h.constants.modelStatus).map(([k, v]) => [v as number, k]));

/**
 * Solves min t s.t. the rows above, over u (≥ 0 when `nonnegative`) and
 * t ≥ 0 (t = 0 when `slack` is false). Exported for tests and reuse.
 */
export function solveLayerLp(
  W: Matrix,
  rows: LayerRows,
  nonnegative: boolean,
  options: { readonly slack: boolean; readonly timeLimit: number },
  highs: Highs = highsSolver(),
): LayerLpResult {
  const n = W.cols;
  const inf = highs.infinity;
  const lower: number[] = [];
  const upper: number[] = [];
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  // One constraint row: w_r·u + sign·t within [lo, hi]. Exact zeros are left out (HiGHS wants no explicit zeros).
  const push = (r: number, sign: number, lo: number, hi: number) => {
    for (let k = 0; k < n; k++) {
      const w = W.data[r * n + k];
      if (w !== 0) {
        indices.push(k);
        values.push(w);
      }
    }
    indices.push(n);
    values.push(sign);
    starts.push(indices.length);
    lower.push(lo);
    upper.push(hi);
  };
  for (const r of rows.equations) {
    push(r, -1, -inf, rows.target[r]); // w·u − t ≤ c
    push(r, 1, rows.target[r], inf); //   w·u + t ≥ c
  }
  for (const r of rows.above) push(r, 1, rows.target[r], inf);
  for (const r of rows.below) push(r, -1, -inf, rows.target[r]);
  const numRows = lower.length;
  const colCost = new Float64Array(n + 1);
  colCost[n] = 1;
  const colLower = new Float64Array(n + 1).fill(nonnegative ? 0 : -inf);
  colLower[n] = 0;
  const colUpper = new Float64Array(n + 1).fill(inf);
  colUpper[n] = options.slack ? inf : 0;
  const model = {
    numCols: n + 1,
    numRows,
    colCost,
    colLower,
    colUpper,
    rowLower: lower,
    rowUpper: upper,
    matrix: { format: 'csr' as const, numRows, numCols: n + 1, starts, indices, values },
  };
  return highs.withModel(model, (m) => {
    m.options.set({
      output_flag: false,
      solver: 'simplex',
      ...(Number.isFinite(options.timeLimit) ? { time_limit: options.timeLimit } : {}),
    });
    const { modelStatus } = m.run();
    const optimal = modelStatus === highs.constants.modelStatus.optimal;
    const col = optimal ? m.getSolution().colValue : new Float64Array(n + 1);
    const simplex = Number(m.info.get('simplex_iteration_count') ?? 0);
    return {
      status: statusNames(highs).get(modelStatus) ?? `status ${modelStatus}`,
      optimal,
      u: col.slice(0, n),
      t: col[n],
      iterations: simplex,
    };
  });
}

/** The output layer's rows for signal j: φ⁻¹(y) − b on equations, θ± − b on saturated pixels (context.ts). */
function outputRows(ctx: InversionContext, j: number): LayerRows {
  const system = outputSystem(ctx, j);
  const side = (r: number) => ctx.saturation.side[r * ctx.count + j];
  return {
    equations: system.equations,
    above: system.inequalities.filter((r) => side(r) > 0),
    below: system.inequalities.filter((r) => side(r) < 0),
    target: system.target,
  };
}

/**
 * A ReLU layer's rows for x⁺ = column j of `next`: entries above the cut
 * max(tol·‖x⁺‖∞, τ) are two-sided, |w·u + b − x⁺_r| ≤ t; the rest one-sided,
 * w·u + b ≤ x⁺_r + t (for an exact zero: ≤ t, the paper's off-support row).
 */
function reluRows(b: Float64Array, next: Matrix, j: number, tolerance: number, tau: number): LayerRows {
  const n = next.rows;
  let max = 0;
  for (let r = 0; r < n; r++) max = Math.max(max, next.data[r * next.cols + j]);
  const cut = Math.max(tolerance * max, tau);
  const target = new Float64Array(n);
  const equations: number[] = [];
  const below: number[] = [];
  for (let r = 0; r < n; r++) {
    const v = next.data[r * next.cols + j];
    target[r] = v - b[r];
    (v > cut ? equations : below).push(r);
  }
  return { equations: Int32Array.from(equations), above: new Int32Array(0), below: Int32Array.from(below), target };
}

/** Cap on the LPs of one ReLU layer's threshold iteration (each adds rows to the one-sided set). */
const MAX_THRESHOLD_ROUNDS = 50;

/**
 * One ReLU layer under the ℓ∞ slack: min_u ‖ReLU(W u + b) − x⁺‖∞ by LPs
 * (our completion of the paper's one-layer LP for a layer whose x⁺ is itself
 * an estimate). Rows whose x⁺_r ≤ τ are read as one-sided: for them the lower
 * side ReLU(w·u + b) ≥ x⁺_r − τ holds whatever u is. τ starts at the support
 * cut; while the LP's optimal t exceeds τ, τ is raised to t (t₀ > t₁ > …, and
 * the one-sided set grows). At the end, ‖ReLU(W u + b) − x⁺‖∞ ≤ τ = the
 * previous round's t, while every u has an error above the previous τ (one
 * with error e ≤ τ would make that round's LP optimum ≤ e ≤ τ, and it was not).
 * The phase's history lists the rounds' t.
 * Without the iteration a small positive x̂ entry — noise on a true zero,
 * which the previous LP's ℓ∞ fit leaves everywhere — would be forced as an
 * equation, and the layer below would fit that noise instead of the signal.
 */
function solveReluLayer(
  W: Matrix,
  b: Float64Array,
  next: Matrix,
  j: number,
  nonnegative: boolean,
  o: ReturnType<typeof checkLeiOptions>,
  highs: Highs,
): LayerLpResult & { readonly rounds: number; readonly capped: boolean; readonly slacks: number[] } {
  let tau = 0;
  let iterations = 0;
  const slacks: number[] = [];
  for (let rounds = 1; ; rounds++) {
    const lp = solveLayerLp(W, reluRows(b, next, j, o.supportTolerance, tau), nonnegative, o, highs);
    iterations += lp.iterations;
    slacks.push(lp.t);
    const settled = !lp.optimal || !o.slack || lp.t <= tau || lp.t === 0;
    if (settled || rounds >= MAX_THRESHOLD_ROUNDS) return { ...lp, iterations, rounds, capped: !settled, slacks };
    tau = lp.t;
  }
}

/**
 * Lei et al.'s layer-wise LP inversion, batched over the signals of `ctx`
 * (one LP per signal and layer; yields after each signal).
 */
export function* leiInversion(
  ctx: InversionContext,
  options: LeiOptions = {},
): Generator<number, InversionResult, void> {
  const o = checkLeiOptions(options);
  const highs = highsSolver();
  const { layers, count } = ctx;
  const L = layers.length - 1; // index of the output layer; hidden layers x_1 … x_L are layers[0 … L−1]'s outputs
  const n0 = layers[0].W.cols;
  const z = matrix(n0, count);
  const est = layers.slice(0, L).map((l) => matrix(l.W.rows, count));
  const phases: PhaseReport[][] = [];
  for (let j = 0; j < count; j++) {
    const reports: PhaseReport[] = [];
    for (let i = L; i >= 0; i--) {
      const lp =
        i === L
          ? { ...solveLayerLp(layers[i].W, outputRows(ctx, j), i > 0, o, highs), rounds: 1, capped: false, slacks: [] }
          : solveReluLayer(layers[i].W, layers[i].b, est[i], j, i > 0, o, highs);
      const into = i > 0 ? est[i - 1] : z;
      for (let k = 0; k < lp.u.length; k++) into.data[k * count + j] = lp.u[k];
      const phase = `${i > 0 ? `layer ${i}` : 'z'} (LP, HiGHS)`;
      if (!lp.optimal) {
        const why = o.slack
          ? ''
          : ' (without the ℓ∞ slack the LP is infeasible whenever noise puts the data outside the layer’s range)';
        reports.push({
          phase,
          iterations: lp.iterations,
          stopReason: 'failed',
          history: [],
          misfit: [],
          note: `HiGHS ended with status ${lp.status}${why}; ${i > 0 ? 'the layers below were not attempted and ẑ is 0' : 'ẑ is 0'}`,
        });
        for (let k = 0; k < n0; k++) z.data[k * count + j] = 0;
        break;
      }
      const notes = [
        ...(o.slack && lp.t > 0 ? [`ℓ∞ slack t = ${lp.t.toPrecision(3)}`] : []),
        ...(lp.rounds > 1 ? [`${lp.rounds} LPs (one-sided threshold raised to the slack)`] : []),
        ...(lp.capped ? [`threshold iteration stopped after ${MAX_THRESHOLD_ROUNDS} LPs`] : []),
      ];
      reports.push({
        phase,
        iterations: lp.iterations,
        stopReason: lp.capped ? 'max-iterations' : 'exact',
        // The LP's objective is the layer's ℓ∞ misfit, the slack t: both series are t per LP.
        history: lp.slacks.length > 0 ? lp.slacks : [lp.t],
        misfit: lp.slacks.length > 0 ? [...lp.slacks] : [lp.t],
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      });
    }
    phases.push(reports);
    yield (j + 1) / count;
  }
  return assembleResult(ctx, 'lei', z, est, phases, o.supportTolerance);
}
