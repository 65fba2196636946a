import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import type { NoiseSpec } from '../model/observation';
import { linearizedAdmm, exactConstrainedCandidate, widenedNote, type ConstrainedLayerProblem } from './admm';
import {
  assembleResult,
  createContext,
  misfitFloors,
  outputSystem,
  scatterColumns,
  selectColumns,
  selectMaskColumns,
  measured,
  type InversionContext,
} from './context';
import { debiasBatch } from './debias';
import { refineSupportsBatch } from './refine';
import { fista, type FistaProblem } from './fista';
import { activeSetLasso } from './activeSet';
import { leastSquaresOnSupport } from './leastSquares';
import { leastSquaresStart } from './warmStart';
import { phiResidual, rowPreActivation, solveWithInequalities } from './saturation';
import { measuredGaussNewton } from './measuredGaussNewton';
import { maskedLeastSquares, measuredOutput, outputMisfit, smoothAt } from './smooth';
import { columnSupport, supportMask } from './support';
import { onePoint, worstStop, type InversionResult, type PhaseReport, type RoughStart } from './types';
import { selectSignals } from './protocol';

export interface LatentPursuitOptions {
  /** λ of every layer's ℓ₁ term (the paper: 0 without noise). @default 0 */
  readonly lambda?: number;
  /** ADMM penalty ρ. @default 1e-2 (the paper's) */
  readonly rho?: number;
  /** Weight γ of the Gaussian prior on z (Eq. 10). @default 0 (the paper's, for random nets) */
  readonly gamma?: number;
  /** Relative support tolerance for reading supports off iterates. @default 1e-6 */
  readonly supportTolerance?: number;
  /**
   * Solve exactly on a settled support and accept on KKT (true), or run the
   * paper's plain iterations to their tolerance (false). Same minimiser, different cost.
   * @default true
   */
  readonly exact?: boolean;
  /** FISTA iterations at most (last layer). @default 5000 */
  readonly maxIterations?: number;
  /** ADMM iterations at most (each inner layer). @default 5000 */
  readonly maxAdmmIterations?: number;
  /** Relative change stopping FISTA / ADMM. @default 1e-12 / 1e-10 */
  readonly tolerance?: number;
  /** Run the debiasing step on the recovered supports. @default true */
  readonly debias?: boolean;
  /** After debiasing, re-read the supports from G(ẑ) and debias again while the misfit falls (refine.ts). @default true */
  readonly refine?: boolean;
}

/** Latent-Pursuit's defaults, in one place (documented on the interface). */
export function checkLatentPursuitOptions(o: LatentPursuitOptions = {}): Required<LatentPursuitOptions> {
  const r = {
    lambda: o.lambda ?? 0,
    rho: o.rho ?? 1e-2,
    gamma: o.gamma ?? 0,
    supportTolerance: o.supportTolerance ?? 1e-6,
    exact: o.exact ?? true,
    maxIterations: o.maxIterations ?? 5000,
    maxAdmmIterations: o.maxAdmmIterations ?? 5000,
    tolerance: o.tolerance ?? 1e-12,
    debias: o.debias ?? true,
    refine: o.refine ?? true,
  };
  if (!(r.lambda >= 0)) throw new RangeError(`lambda must be ≥ 0, got ${r.lambda}`);
  if (!(r.rho > 0)) throw new RangeError(`rho must be > 0, got ${r.rho}`);
  if (!(r.gamma >= 0)) throw new RangeError(`gamma must be ≥ 0, got ${r.gamma}`);
  if (!(r.supportTolerance > 0 && r.supportTolerance < 1))
    throw new RangeError(`supportTolerance must be in (0, 1), got ${r.supportTolerance}`);
  if (!(Number.isInteger(r.maxIterations) && r.maxIterations >= 1))
    throw new RangeError(`maxIterations must be a positive integer`);
  if (!(Number.isInteger(r.maxAdmmIterations) && r.maxAdmmIterations >= 1))
    throw new RangeError(`maxAdmmIterations must be a positive integer`);
  return r;
}

/** Largest φ′ over the real line, for the Lipschitz bound of the last layer's gradient. */
function maxDerivative(ctx: InversionContext): number {
  const act = ctx.gen.output;
  return act.kind === 'sigmoid' ? 0.25 : 1;
}

/**
 * Latent-Pursuit (Alg. 3), every signal at once:
 * 1. last layer: FISTA on min_{x ≥ 0} ½‖y − M φ(W_L x + b_L)‖² + λ1ᵀx (φ kept, not inverted;
 *    under a measurement matrix ½‖y − A φ(W_L x + b_L)‖², step from λ_max(W_LᵀW_L)·‖A‖²·max φ′²);
 * 2. inner layers: linearized ADMM on Eq. 6 (nonnegative, off-support rows kept ≤ 0);
 * 3. z: Eq. 10 — least squares on the supported rows when that already keeps the
 *    off-support rows ≤ 0 (then it is the exact minimiser), else linearized ADMM;
 * 4. debiasing on the recovered supports.
 * Where the last layer is wider than a signal's known pixels or the observation states noise
 * (roughStart), step 1 only gives a rough start and the support refinement finds z; the signals
 * that then do not fit run the steps again as above (the exact route), each keeping the answer
 * with the lower misfit.
 */
export function* latentPursuit(
  ctx: InversionContext,
  options: LatentPursuitOptions = {},
): Generator<number, InversionResult, void> {
  const o = checkLatentPursuitOptions(options);
  const rough = o.exact && o.debias && o.refine && !measured(ctx) ? roughStart(ctx) : undefined;
  if (rough === undefined) return yield* layeredRoute(ctx, o, undefined);
  // A wide last layer or stated noise (roughStart): the rough route first, the exact one for what it leaves unfit.
  const first = yield* scaled(layeredRoute(ctx, o, rough), 0, 0.5);
  const floors = misfitFloors(ctx, FITS);
  const retry = first.signals.flatMap((s, j) => (rough.signals[j] === 1 && !(s.residual <= floors[j]) ? [j] : []));
  if (retry.length === 0) return first;
  const sub = createContext(ctx.gen, selectSignals(ctx.obs, retry), ctx.saturation.tolerance);
  const second = yield* scaled(layeredRoute(sub, o, undefined), 0.5, 0.5);
  return keepBetter(first, second, retry, floors);
}

/** ½‖M(y − G(ẑ))‖² at most FITS · ½‖My‖² (or the noise's floor, misfitFloors) counts as a fit: the hybrid's default. */
const FITS = 1e-16;

/**
 * Signals `retry` of `first`, run again as `second` (column q is signal retry[q]): each keeps the
 * answer with the lower misfit, its phases both routes' in order, the exact route's first phase
 * noting why it ran and which answer was kept.
 */
function keepBetter(
  first: InversionResult,
  second: InversionResult,
  retry: readonly number[],
  floors: Float64Array,
): InversionResult {
  const z = matrix(first.z.rows, first.z.cols, Float64Array.from(first.z.data));
  const layers = first.layers.map((x) => matrix(x.rows, x.cols, Float64Array.from(x.data)));
  const signals = [...first.signals];
  retry.forEach((j, q) => {
    const a = first.signals[j];
    const b = second.signals[q];
    const exactWins = b.residual < a.residual;
    if (exactWins) {
      const copy = (from: Matrix, to: Matrix) => {
        for (let i = 0; i < to.rows; i++) to.data[i * to.cols + j] = from.data[i * from.cols + q];
      };
      copy(second.z, z);
      second.layers.forEach((x, l) => copy(x, layers[l]));
    }
    const [head, ...rest] = b.phases;
    const note =
      `the rough route's answer did not fit (misfit ${a.residual.toExponential(2)} > ${floors[j].toExponential(2)}): ` +
      `the exact route ran; kept ${exactWins ? "the exact route's" : "the rough route's"} answer`;
    const phases = [...a.phases, { ...head, note: head.note ? `${note}; ${head.note}` : note }, ...rest];
    const kept = exactWins ? b : a;
    signals[j] = { ...kept, iterations: a.iterations + b.iterations, stopReason: worstStop(kept.phases), phases };
  });
  return { ...first, z, layers, signals };
}

/**
 * Latent-Pursuit's layers, last to first, then the debiasing; with `rough`, those signals' last
 * layer only gives a start (FISTA's `rough` option) that the support refinement corrects.
 */
function* layeredRoute(
  ctx: InversionContext,
  o: Required<LatentPursuitOptions>,
  rough: RoughStart | undefined,
): Generator<number, InversionResult, void> {
  const { layers, count, obs } = ctx;

  const L = layers.length - 1;
  const n0 = layers[0].W.cols;
  const phases: PhaseReport[][] = Array.from({ length: count }, () => []);
  const estimates: Matrix[] = layers.slice(0, L).map((l) => matrix(l.W.rows, count));
  const weight = { last: 0.5, inner: L > 1 ? 0.3 / (L - 1) : 0, first: L > 1 ? 0.1 : 0.3, debias: 0.1 };
  let base = 0;

  // 1. Last layer.
  const out = layers[L];
  const tried = new Uint8Array(count);
  const lambda = new Float64Array(count).fill(o.lambda);
  const problem: FistaProblem = {
    W: out.W,
    Wt: out.Wt,
    bias: out.b,
    // Under a measurement matrix (non-identity φ): ½‖y − A φ(W_L x + b_L)‖², whose gradient also passes through A.
    smooth: measured(ctx)
      ? measuredOutput(ctx.measure, ctx.phi, obs.y)
      : outputMisfit(ctx.phi, obs.y, obs.known, ctx.saturation),
    prox: 'nonneg-l1',
    lambda,
    lipschitz: out.lambdaMax * maxDerivative(ctx) ** 2 * (ctx.measure?.normSquared ?? 1),
    exactOnSupport: o.exact
      ? (j, support, iterate, settled) => {
          // The first attempt on a settled support may walk far from its guess (see
          // lastLayerExact); the early one and later ones get fewer rounds: the early guess is
          // either nearly right or not worth a long walk, later ones start from better guesses,
          // and under noise a long walk rarely ends in KKT. Under A each round is a Gauss–Newton
          // solve, not a rank-one update: fewer of them.
          const first = !tried[j] && settled;
          if (settled) tried[j] = 1;
          if (measured(ctx)) return lastLayerMeasured(ctx, j, support, o.lambda, iterate, first ? 20 : 5);
          return lastLayerExact(ctx, j, support, o.lambda, iterate, first ? 3 * out.W.cols : 40);
        }
      : undefined,
  };
  const xL = estimates[L - 1];
  // A least-squares start reads (nearly) the right support without noise: the first exact try comes
  // after one iteration instead of ten (on 45%-masked MNIST signals those nine iterations were a
  // third of the solve).
  const warm = o.exact ? leastSquaresStart(ctx, xL, true) : 0;
  const lastReports = yield* scaled(
    fista(problem, xL, {
      phase: `layer ${L} (FISTA${o.exact ? ' + exact on support' : ''})`,
      maxIterations: o.maxIterations,
      tolerance: o.tolerance,
      exactEvery: o.exact ? 10 : 0,
      ...(warm > 0 ? { firstExactAt: 1 } : {}),
      // The paper's plain iterations run to their tolerance or cap, without the stall rule.
      stall: o.exact ? undefined : { window: 0 },
      // The exact step solves the noiseless equations on a support; under stated noise it did not
      // pass the φ-domain KKT check once (0 of 106 attempts on 16 MNIST signals at σ = 0.05, 0 of
      // 114 at σ = 1e-4; ~70 ms each, more than the iterations to the stall rule). There the
      // iterations end by their tolerance, a stalled iterate that meets the KKT conditions, or the stall rule.
      ...(statesNoise(obs.noise) ? { maxExactFailures: 0 } : {}),
      ...(rough !== undefined ? { rough } : {}),
    }),
    base,
    weight.last,
  );
  lastReports.forEach((r, j) => phases[j].push(r));
  base += weight.last;

  // 2. Inner layers, L−1 … 1.
  for (let i = L - 1; i >= 1; i--) {
    const { mask } = supportMask(estimates[i], o.supportTolerance);
    const layer = layers[i];
    const p: ConstrainedLayerProblem = {
      W: layer.W,
      Wt: layer.Wt,
      bias: layer.b,
      next: estimates[i],
      rowMask: mask,
      nonnegative: true,
      lambda: o.lambda,
      gamma: 0,
      lambdaMax: layer.lambdaMax,
    };
    const reports = yield* scaled(
      linearizedAdmm(p, estimates[i - 1], {
        phase: `layer ${i} (linearized ADMM${o.exact ? ' + exact on support' : ''})`,
        rho: o.rho,
        maxIterations: o.maxAdmmIterations,
        exactEvery: o.exact ? 10 : 0,
        // The paper's plain iterations run to their tolerance or cap, without the stall rule.
        stall: o.exact ? undefined : { window: 0 },
        // Below a rough last layer an exact inner layer buys nothing the refinement keeps: its
        // candidates (active-set rounds, an equality-constrained solve each) took a fifth of a
        // noisy run's time; a few iterations give the refinement as good a start.
        ...(rough !== undefined
          ? { rough: { ...rough, iterations: ROUGH_INNER_ITERATIONS, note: roughInnerNote } }
          : {}),
      }),
      base,
      weight.inner,
    );
    reports.forEach((r, j) => phases[j].push(r));
    base += weight.inner;
  }

  // 3. z (Eq. 10).
  const z = matrix(n0, count);
  {
    const { mask } = supportMask(estimates[0], o.supportTolerance);
    const first = layers[0];
    const p: ConstrainedLayerProblem = {
      W: first.W,
      Wt: first.Wt,
      bias: first.b,
      next: estimates[0],
      rowMask: mask,
      nonnegative: false,
      lambda: 0,
      gamma: o.gamma,
      lambdaMax: first.lambdaMax,
    };
    const all = Int32Array.from({ length: n0 }, (_, k) => k);
    const supportedRows = maskedLeastSquares(estimates[0], mask);
    const pending: number[] = [];
    for (let j = 0; j < count; j++) {
      const info = { widened: 0 };
      const cand = o.exact ? exactConstrainedCandidate(p, j, all, 1e-9, info) : undefined;
      if (cand === undefined) {
        pending.push(j);
        continue;
      }
      for (let k = 0; k < n0; k++) z.data[k * count + j] = cand[k];
      // Its misfit ½‖(W z + b − x̂₁)_S‖²; the objective adds the prior (γ/2)‖z‖².
      const misfit = smoothAt(supportedRows, first, cand, j);
      const prior = 0.5 * o.gamma * cand.reduce((s, v) => s + v * v, 0);
      phases[j].push({
        phase: 'z (least squares, constraints checked)',
        iterations: 1,
        stopReason: 'exact',
        ...onePoint(misfit + prior, misfit),
        ...(info.widened > 0 ? { note: widenedNote(info.widened) } : {}),
      });
    }
    if (pending.length > 0) {
      const cols = Int32Array.from(pending);
      const sub: ConstrainedLayerProblem = {
        ...p,
        next: selectColumns(estimates[0], cols),
        rowMask: selectMaskColumns(mask, first.W.rows, count, cols),
      };
      const zSub = matrix(n0, cols.length);
      const reports = yield* scaled(
        linearizedAdmm(sub, zSub, {
          phase: `z (linearized ADMM${o.exact ? ' + exact' : ''})`,
          rho: o.rho,
          maxIterations: o.maxAdmmIterations,
          exactEvery: o.exact ? 10 : 0,
          // The paper's plain iterations run to their tolerance or cap, without the stall rule.
          stall: o.exact ? undefined : { window: 0 },
        }),
        base,
        weight.first,
      );
      scatterColumns(zSub, cols, z);
      reports.forEach((r, k) => phases[cols[k]].push(r));
    }
    base += weight.first;
  }

  // 4. Debiasing on the recovered supports, then on the supports of G(ẑ) while that fits better.
  if (o.debias) {
    const supportsOf = (j: number) => estimates.map((x) => columnSupport(x, j, o.supportTolerance));
    yield* scaled(debiasBatch(ctx, supportsOf, z, phases, true), base, weight.debias / 2);
    if (o.refine)
      yield* scaled(refineSupportsBatch(ctx, z, phases, supportsOf), base + weight.debias / 2, weight.debias / 2);
  }
  return assembleResult(ctx, 'lp', z, estimates, phases, o.supportTolerance);
}

/** FISTA iterations that give the last layer's rough iterate (see roughStart). */
const ROUGH_ITERATIONS = 100;
/** ADMM iterations of an inner layer below a rough last layer. */
const ROUGH_INNER_ITERATIONS = 20;
const roughInnerNote = () =>
  `the last layer is only a rough start, so ${ROUGH_INNER_ITERATIONS} iterations give this layer's start too; the support refinement decides`;

/**
 * The signals whose last layer only needs a rough iterate, or undefined when there are none:
 * - **a wide last layer**, wider than the signal's equation rows (n_L > m_j, the known
 *   unsaturated pixels; Fig. 2's third regime, n_L = 1000 > n = 625). There W_L on those rows has
 *   a null space and x_L ≈ n_L/2 entries on: Theorem 1's s_L < spark(W_L)/2 ≤ (m_j + 1)/2 cannot
 *   hold, the layer's nonnegative least squares has many exact solutions, and the exact step's
 *   walk to one of them (400 active-set rounds, ~3 s a signal on random:100,1000,625:tanh) pins
 *   down an x̂_L that need not be the true one;
 * - **stated noise**: the exact step solves the noiseless equations and is not tried (see
 *   maxExactFailures below), so FISTA crawled to its stall rule (a median 400 iterations on noisy
 *   MNIST signals) for a support that the support refinement re-reads from G(ẑ) anyway.
 * The iterate is passed down the layers to a first ẑ; the support refinement (Gauss–Newton on
 * G(ẑ)'s own activation pattern, refine.ts) then fits the whole generator, and latentPursuit runs
 * the exact route for any signal that does not fit.
 */
function roughStart(ctx: InversionContext): RoughStart | undefined {
  const nL = ctx.layers[ctx.layers.length - 1].W.cols;
  const noisy = statesNoise(ctx.obs.noise);
  const wide = (j: number) => nL > ctx.equationRows(j).length;
  const signals = Uint8Array.from({ length: ctx.count }, (_, j) => (noisy || wide(j) ? 1 : 0));
  if (!signals.includes(1)) return undefined;
  const start = `its iterate after ${ROUGH_ITERATIONS} iterations is only a start; the support refinement decides`;
  return {
    signals,
    iterations: ROUGH_ITERATIONS,
    note: (j) =>
      wide(j)
        ? `n_L = ${nL} > ${ctx.equationRows(j).length} known unsaturated pixels: the last layer has many exact solutions, so ${start}`
        : `under the stated noise the last layer's exact step does not apply, so ${start}`,
  };
}

/** Whether the observation states a noise level above zero. */
function statesNoise(noise: NoiseSpec): boolean {
  return (noise.kind === 'gaussian' && noise.sigma > 0) || (noise.kind === 'bounded' && noise.epsilon > 0);
}

/**
 * Exact candidate for the last layer from FISTA's support guess: the
 * nonnegative least squares of φ⁻¹(y) − b on the equation rows of W_L by
 * active-set rounds (exact without noise), with the saturated pixels as
 * one-sided rows, active only while violated (semismooth Newton, saturation.ts);
 * then Gauss–Newton on that support in the φ domain when the residual is
 * above rounding level (noise). Undefined when it fails or an entry turns
 * non-positive; the FISTA engine checks the φ-domain KKT conditions (with the
 * same one-sided residuals) before accepting.
 */
function lastLayerExact(
  ctx: InversionContext,
  j: number,
  guess: Int32Array,
  lambda: number,
  iterate: Float64Array,
  maxRounds: number,
): Float64Array | undefined {
  const out = ctx.layers[ctx.layers.length - 1];
  const sys = outputSystem(ctx, j);
  // `maxRounds` can be enough to reach the nonnegative least squares from a poor guess (one index
  // moves per round): with many saturated pixels the φ-domain iterations barely see those rows,
  // and their support guesses can be far off; the KKT check still decides. A later round of the
  // saturated pixels' semismooth Newton starts from the previous round's support, a few indices away.
  const solve = (rows: Int32Array, previous: Float64Array | undefined) =>
    activeSetLasso({
      W: out.W,
      Wt: out.Wt,
      gram: out.gram,
      rows,
      target: sys.target,
      lambda,
      nonnegative: true,
      guess:
        previous === undefined
          ? guess
          : Int32Array.from({ length: previous.length }, (_, c) => c).filter((c) => previous[c] > 0),
      signsFrom: previous ?? iterate,
      maxRounds: previous === undefined ? maxRounds : 40,
    });
  const x =
    sys.inequalities.length === 0
      ? solve(sys.equations, undefined)
      : solveWithInequalities(
          sys.equations,
          sys.inequalities,
          solve,
          (xx, r) => sys.gap(r, rowPreActivation(out, xx, r)),
          sys.slack,
          10,
        )?.x;
  if (x === undefined || ctx.gen.output.kind === 'identity') return x;
  const support = Int32Array.from({ length: x.length }, (_, c) => c).filter((c) => x[c] > 0);
  const refined = refineInPhiDomain(
    ctx,
    j,
    support,
    Float64Array.from(support, (c) => x[c]),
    lambda,
  );
  if (refined === undefined) return undefined;
  const full = new Float64Array(x.length);
  for (let q = 0; q < support.length; q++) {
    if (!(refined[q] > 0)) return undefined;
    full[support[q]] = refined[q];
  }
  return full;
}

/**
 * The exact candidate under a measurement matrix: no φ⁻¹(y) to solve in
 * closed form (an entry of y mixes every pixel), so active-set rounds of
 * Gauss–Newton on ½‖y − A φ(W_L[:, T] x + b_L)‖² + λ1ᵀx, from FISTA's support
 * guess T and iterate. A round whose solution has non-positive entries drops
 * them from T; one whose solution is positive adds the off-support indices
 * with the most negative gradient ∂/∂x_c + λ (below −1e-9 of the gradient's
 * scale at x = 0; at most 5% of |T| per round), else it is the candidate. Undefined when a linearisation is
 * singular (fewer measurements than |T|) or the rounds run out; the FISTA
 * engine checks the KKT conditions of the measured problem before accepting.
 */
function lastLayerMeasured(
  ctx: InversionContext & { readonly measure: NonNullable<InversionContext['measure']> },
  j: number,
  guess: Int32Array,
  lambda: number,
  iterate: Float64Array,
  maxRounds: number,
): Float64Array | undefined {
  const out = ctx.layers[ctx.layers.length - 1];
  const { A, At } = ctx.measure;
  const n = out.W.rows;
  const nL = out.W.cols;
  const y = ctx.signal(j);
  // ∇ of the smooth part at x (full length), for the off-support test: Wᵀ[φ′(p) ⊙ Aᵀ(A φ(p) − y)].
  const gradient = (x: Float64Array) => {
    const p = gemm(out.W, matrix(nL, 1, x), matrix(n, 1), out.b).data;
    const r = gemm(
      A,
      matrix(
        n,
        1,
        p.map((v) => ctx.phi.forward(v)),
      ),
      matrix(A.rows, 1),
    ).data;
    for (let i = 0; i < r.length; i++) r[i] -= y[i];
    const d = gemm(At, matrix(A.rows, 1, r), matrix(n, 1)).data;
    for (let i = 0; i < n; i++) d[i] *= ctx.phi.derivative(p[i]);
    return gemm(out.Wt, matrix(n, 1, d), matrix(nL, 1)).data;
  };
  let scale = lambda;
  for (const g of gradient(new Float64Array(nL))) scale = Math.max(scale, Math.abs(g) + lambda);
  // A guess with as many entries as measurements cannot be solved for (J is rank deficient): keep its largest 90% of m.
  let support = Array.from(guess);
  if (support.length >= A.rows)
    support = support
      .sort((a, b) => iterate[b] - iterate[a])
      .slice(0, Math.floor(0.9 * A.rows))
      .sort((a, b) => a - b);
  let start = support.map((c) => iterate[c]);
  for (let round = 0; round < maxRounds; round++) {
    const t = support.length;
    const full = new Float64Array(nL);
    if (t > 0) {
      const M = matrix(n, t);
      for (let i = 0; i < n; i++) for (let q = 0; q < t; q++) M.data[i * t + q] = out.W.data[i * nL + support[q]];
      const gn = measuredGaussNewton(
        {
          measure: ctx.measure,
          phi: ctx.phi,
          M,
          q: out.b,
          y,
          ...(lambda > 0 ? { linear: new Float64Array(t).fill(lambda) } : {}),
        },
        Float64Array.from(start),
        { maxIterations: 30 },
      );
      if (gn.stopReason === 'failed') return undefined;
      // Entries at rounding level of the largest are zeros the solve did not hit exactly (an index off the true support).
      const floor = 1e-9 * gn.v.reduce((a, v) => Math.max(a, v), 0);
      const keep = support.map((_, q) => gn.v[q] > floor);
      if (keep.some((k) => !k)) {
        start = support.flatMap((_, q) => (keep[q] ? [gn.v[q]] : []));
        support = support.filter((_, q) => keep[q]);
        continue;
      }
      support.forEach((c, q) => (full[c] = gn.v[q]));
    }
    const g = gradient(full);
    const violated: number[] = [];
    for (let c = 0; c < nL; c++) if (full[c] === 0 && g[c] + lambda < -1e-9 * scale) violated.push(c);
    if (violated.length === 0) return full;
    // The most violated few at once (a round costs a whole Gauss–Newton solve); a wrong one is dropped next round.
    violated.sort((a, b) => g[a] - g[b]);
    const added = new Set(violated.slice(0, Math.max(1, Math.ceil(0.05 * support.length))));
    support = Array.from({ length: nL }, (_, c) => c).filter((c) => full[c] > 0 || added.has(c));
    start = support.map((c) => full[c]);
  }
  return undefined;
}

/**
 * Gauss–Newton on T for ½‖y − φ(W x + b)‖² + λ1ᵀx from x_T (saturated pixels:
 * their distance to their interval, weightless while inside it); a no-op for
 * identity φ or a residual at rounding level. Monotone: a step that does not
 * lower the objective is halved back towards the last point that did (ten
 * halvings at most, then that point is the answer); at most 20 evaluations.
 */
function refineInPhiDomain(
  ctx: InversionContext,
  j: number,
  support: Int32Array,
  start: Float64Array,
  lambda: number,
): Float64Array | undefined {
  if (ctx.gen.output.kind === 'identity') return start;
  const out = ctx.layers[ctx.layers.length - 1];
  const rows = ctx.knownRows(j);
  const y = ctx.signal(j);
  const sat = ctx.saturation;
  const n = out.W.cols;
  const xT = Float64Array.from(start);
  const linear = lambda === 0 ? undefined : new Float64Array(support.length).fill(lambda);
  const weights = new Float64Array(out.W.rows);
  const gnTarget = new Float64Array(out.W.rows);
  let yNorm = 0;
  for (const r of rows) yNorm += y[r] * y[r];
  // Monotone: a step that does not lower the objective is halved back towards the last accepted
  // point (φ with kinks, like plu, can send plain Gauss–Newton back and forth between two pieces).
  let accepted = Number.POSITIVE_INFINITY;
  const last = Float64Array.from(xT);
  let halvings = 0;
  for (let it = 0; it < 20; it++) {
    let misfit = 0;
    for (const r of rows) {
      let s = out.b[r];
      for (let q = 0; q < support.length; q++) s += out.W.data[r * n + support[q]] * xT[q];
      const d = ctx.phi.derivative(s);
      const side = sat.side[r * ctx.count + j];
      const res = phiResidual(sat, ctx.phi.forward(s), y[r], side);
      const flat = side !== 0 && res === 0;
      misfit += res * res;
      weights[r] = flat ? 0 : d * d;
      gnTarget[r] = !flat && d > 1e-300 ? -res / d : 0;
    }
    let objective = 0.5 * misfit;
    for (let q = 0; q < support.length; q++) objective += lambda * xT[q];
    if (!(objective < accepted * (1 - 1e-15))) {
      if (halvings === 10 || accepted === Number.POSITIVE_INFINITY) {
        xT.set(last);
        break;
      }
      halvings++;
      for (let q = 0; q < support.length; q++) xT[q] = 0.5 * (xT[q] + last[q]);
      continue;
    }
    accepted = objective;
    last.set(xT);
    halvings = 0;
    if (misfit <= 1e-26 * Math.max(yNorm, Number.MIN_VALUE)) break;
    const step = leastSquaresOnSupport(out.W, out.Wt, rows, support, gnTarget, { weights, linear }).x;
    if (step === undefined) return undefined;
    let stepNorm = 0;
    let xNorm = 0;
    for (let q = 0; q < support.length; q++) {
      xT[q] += step[q];
      stepNorm += step[q] * step[q];
      xNorm += xT[q] * xT[q];
    }
    if (Math.sqrt(stepNorm) <= 1e-14 * Math.sqrt(xNorm)) break;
  }
  return xT;
}

/** Re-maps a sub-generator's progress in [0, 1] to [base, base + weight]. */
export function* scaled<R>(
  inner: Generator<number, R, void>,
  base: number,
  weight: number,
): Generator<number, R, void> {
  for (;;) {
    const next = inner.next();
    if (next.done) return next.value;
    yield base + weight * next.value;
  }
}
