import { choleskyInPlace, choleskySolveInPlace } from '../linalg/cholesky';
import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { activeSetLasso } from './activeSet';
import { leastSquaresOnSupport } from './leastSquares';
import { exactAttemptSchedule } from './fista';
import { columnSupport, nearlySameSupport } from './support';
import { stallDetector, type StallRule } from './stall';
import { emptyHistory, recordHistory, type PhaseReport, type PhaseStop, type RoughStart } from './types';

/**
 * One layer of Latent-Pursuit below the output (ALGORITHMS.md §4, Eq. 6 and
 * Eq. 10), for every signal at once. With S = supp(x̂_{i+1}) per signal:
 *
 *   min ½‖(W x + b − x̂_{i+1})_S‖² + λ 1ᵀx + (γ/2)‖x‖²
 *   s.t. (W x + b)_{S^c} ≤ 0,  and x ≥ 0 when `nonnegative` (hidden layers; z is free).
 */
export interface ConstrainedLayerProblem {
  readonly W: Matrix;
  readonly Wt: Matrix;
  readonly bias: Float64Array;
  /** x̂_{i+1}, m × count. */
  readonly next: Matrix;
  /** supp(x̂_{i+1}) per signal as an m × count 0/1 mask. */
  readonly rowMask: Uint8Array;
  readonly nonnegative: boolean;
  readonly lambda: number;
  readonly gamma: number;
  /** λ_max(WᵀW), for the linearised step α + β ≥ λ_max(AᵀA + ρBᵀB). */
  readonly lambdaMax: number;
}

export interface AdmmOptions {
  /** ADMM penalty ρ (the paper uses 1e-2). @default 1e-2 */
  readonly rho?: number;
  /** @default 5000 */
  readonly maxIterations?: number;
  /** Stop when the relative change of x and the constraint residual are ≤ tol. @default 1e-10 */
  readonly tolerance?: number;
  /** Relative tolerance picking the exact step's support guess (see fista's candidateTolerance). @default 1e-3 */
  readonly candidateTolerance?: number;
  /** Exact solve on a settled support every this many iterations; 0 = the paper's plain iteration. @default 10 */
  readonly exactEvery?: number;
  /** Feasibility and KKT tolerance, relative to the layer's scale max|x̂_{i+1}|. @default 1e-9 */
  readonly kktTolerance?: number;
  /** When the iterations count as stalled (stall.ts). @default window 100, tolerance 1e-6 */
  readonly stall?: StallRule;
  /** Signals that need only a rough iterate (types.ts, RoughStart). */
  readonly rough?: RoughStart;
  readonly phase: string;
}

/**
 * Exact candidate from a column-support guess: hidden layers solve the
 * nonnegative lasso on the supported rows S by active-set rounds
 * (activeSetLasso); z solves the ridge least squares on S. The candidate is
 * accepted only when it is also feasible, (W x + b)_{S^c} ≤ tol: then it
 * meets every KKT condition of the full problem with zero multipliers on the
 * inequality rows. Undefined otherwise (the ADMM iterations go on).
 *
 * One retry: where the only violated rows are ones whose estimate x̂_{i+1} is
 * positive but below the support tolerance (a true entry of 1e-7 of the
 * largest is read as off the support at 1e-6, and then no x can keep its row
 * ≤ 0 while meeting the others), those rows join S as equations and the
 * solve runs once more; `info.widened` then says how many joined.
 */
export function exactConstrainedCandidate(
  problem: ConstrainedLayerProblem,
  j: number,
  guess: Int32Array,
  tolerance: number,
  info?: { widened: number },
): Float64Array | undefined {
  const { W, Wt, bias, next, rowMask, nonnegative, lambda, gamma } = problem;
  const m = W.rows;
  const n = W.cols;
  const count = next.cols;
  const rowList: number[] = [];
  const target = new Float64Array(m);
  const equation = new Uint8Array(m);
  let scale = 0;
  for (let r = 0; r < m; r++) {
    const v = next.data[r * count + j];
    scale = Math.max(scale, Math.abs(v));
    if (rowMask[r * count + j]) {
      rowList.push(r);
      equation[r] = 1;
    }
    target[r] = v - bias[r];
  }
  const tol = tolerance * Math.max(scale, Number.MIN_VALUE);
  const solve = () => {
    const rows = Int32Array.from(rowList);
    if (nonnegative) return activeSetLasso({ W, Wt, rows, target, lambda, nonnegative: true, guess, tolerance });
    const all = Int32Array.from({ length: n }, (_, c) => c);
    return leastSquaresOnSupport(W, Wt, rows, all, target, { ridge: gamma }).x;
  };
  /** Off-support rows with (W x + b)_r > tol. */
  const violated = (x: Float64Array) => {
    const out: number[] = [];
    for (let r = 0; r < m; r++) {
      if (equation[r]) continue;
      let p = bias[r];
      for (let c = 0; c < n; c++) p += W.data[r * n + c] * x[c];
      if (p > tol) out.push(r);
    }
    return out;
  };
  let x = solve();
  if (x === undefined) return undefined;
  let bad = violated(x);
  if (bad.length > 0 && bad.every((r) => next.data[r * count + j] > 0)) {
    for (const r of bad) equation[r] = 1;
    rowList.push(...bad);
    rowList.sort((a, b) => a - b);
    x = solve();
    if (x === undefined) return undefined;
    if (info) info.widened = bad.length;
    bad = violated(x);
  }
  return bad.length === 0 ? x : undefined;
}

/**
 * Linearized ADMM (Alg. 2) for ConstrainedLayerProblem, batched, with the
 * auxiliary a = (W x + b)_{S^c} ≤ 0 and scaled dual u:
 *   x⁺ = P(x − [Wᵀ(S⊙(Wx+b−x̂) + ρ S^c⊙(Wx+b−a−u)) + λ] / (α+β))   (P = ReLU, or the γ-prior step for z)
 *   a⁺ = −ReLU(u − (W x⁺ + b)),  u⁺ = u + a⁺ − (W x⁺ + b)   on S^c.
 *
 * Stopping, per signal: an exact candidate on the settled support that
 * passes the KKT check (`kkt`); else relative change of x and constraint
 * residual ≤ tolerance (`converged`); else a stalled support and objective
 * (`stalled`, stall.ts, once the constraints hold to 1e-6 of the layer's
 * scale); else `max-iterations`. Yields progress.
 *
 * @param x0 initial iterate (n × count); receives the solution.
 */
export function* linearizedAdmm(
  problem: ConstrainedLayerProblem,
  x0: Matrix,
  options: AdmmOptions,
): Generator<number, PhaseReport[], void> {
  const { W, Wt, bias, next, rowMask, nonnegative, lambda, gamma } = problem;
  const rho = options.rho ?? 1e-2;
  const maxIterations = options.maxIterations ?? 5000;
  const tolerance = options.tolerance ?? 1e-10;
  const candidateTolerance = options.candidateTolerance ?? 1e-3;
  const exactEvery = options.exactEvery ?? 10;
  const kktTolerance = options.kktTolerance ?? 1e-9;
  const m = W.rows;
  const n = W.cols;
  const count = x0.cols;
  const step = Math.max(1, rho) * problem.lambdaMax * (1 + 1e-6);

  const reports: PhaseReport[] = new Array(count);
  const histories = Array.from({ length: count }, emptyHistory);
  const lastSupport: (Int32Array | undefined)[] = new Array(count).fill(undefined);
  const stall = stallDetector(count, options.stall);
  const schedule = exactAttemptSchedule(count, exactEvery);
  const rough = options.rough;

  // Working copies of the signals still running (batch column k is signal cols[k]); finished
  // signals are written to x0 and leave the batch, so later products skip them.
  let cols = Int32Array.from({ length: count }, (_, j) => j);
  let x = matrix(n, count, Float64Array.from(x0.data));
  let nextW = matrix(m, count, Float64Array.from(next.data));
  let mask = Uint8Array.from(rowMask);
  let pre = gemm(W, x, matrix(m, count), bias);
  let a = new Float64Array(m * count);
  let u = new Float64Array(m * count);
  for (let p = 0; p < m * count; p++) if (!mask[p]) a[p] = Math.min(pre.data[p], 0);

  const finish = (k: number, stop: PhaseStop, iterations: number, note?: string) => {
    const ka = cols.length;
    const j = cols[k];
    for (let i = 0; i < n; i++) x0.data[i * count + j] = x.data[i * ka + k];
    reports[j] = {
      phase: options.phase,
      iterations,
      stopReason: stop,
      ...histories[j],
      ...(note ? { note } : {}),
    };
  };
  const keepColumns = (data: Float64Array | Uint8Array, rows: number, ka: number, keep: number[]) => {
    const out = new (data.constructor as Float64ArrayConstructor)(rows * keep.length);
    for (let i = 0; i < rows; i++)
      for (let q = 0; q < keep.length; q++) out[i * keep.length + q] = data[i * ka + keep[q]];
    return out;
  };

  let iteration = 0;
  while (cols.length > 0) {
    iteration++;
    const ka = cols.length;
    // Gradient factor of the augmented Lagrangian's smooth part.
    const r = matrix(m, ka);
    // misfit: the least-squares part ½‖(W x + b − x̂_{i+1})_S‖²; the objective adds λ1ᵀx + (γ/2)‖x‖².
    const misfit = new Float64Array(ka);
    for (let p = 0; p < m * ka; p++) {
      if (mask[p]) {
        const d = pre.data[p] - nextW.data[p];
        r.data[p] = d;
        misfit[p % ka] += 0.5 * d * d;
      } else r.data[p] = rho * (pre.data[p] - a[p] - u[p]);
    }
    const objective = Float64Array.from(misfit);
    const g = gemm(Wt, r, matrix(n, ka));
    const change = new Float64Array(ka);
    const size = new Float64Array(ka);
    for (let p = 0; p < n * ka; p++) {
      const k = p % ka;
      const old = x.data[p];
      const nx = nonnegative
        ? Math.max(old - (g.data[p] + lambda) / step, 0)
        : (step * old - g.data[p]) / (step + gamma);
      x.data[p] = nx;
      change[k] += (nx - old) ** 2;
      size[k] += nx * nx;
      objective[k] += lambda * Math.abs(nx) + 0.5 * gamma * nx * nx;
    }
    pre = gemm(W, x, pre, bias);
    const primal = new Float64Array(ka);
    const scale = new Float64Array(ka);
    for (let p = 0; p < m * ka; p++) {
      const k = p % ka;
      scale[k] = Math.max(scale[k], Math.abs(nextW.data[p]));
      if (mask[p]) continue;
      const na = -Math.max(u[p] - pre.data[p], 0);
      a[p] = na;
      u[p] += na - pre.data[p];
      primal[k] = Math.max(primal[k], Math.max(pre.data[p], 0));
    }
    const done = new Uint8Array(ka);
    for (let k = 0; k < ka; k++) {
      recordHistory(histories[cols[k]], iteration, objective[k], misfit[k]);
      const settled = Math.sqrt(change[k]) <= tolerance * Math.max(Math.sqrt(size[k]), Number.MIN_VALUE);
      if (settled && primal[k] <= tolerance * Math.max(scale[k], Number.MIN_VALUE)) {
        finish(k, 'converged', iteration);
        done[k] = 1;
      } else if (
        stall.due(iteration) &&
        stall.stalled(cols[k], objective[k], supportOfColumn(x, k, n, ka, candidateTolerance)) &&
        // The objective leaves out the constraints: a plateau counts only once they hold to 1e-6 of the scale.
        primal[k] <= STALL_FEASIBILITY * Math.max(scale[k], Number.MIN_VALUE)
      ) {
        finish(k, 'stalled', iteration, stall.describe());
        done[k] = 1;
      } else if (rough?.signals[cols[k]] === 1 && iteration >= rough.iterations) {
        finish(k, 'rough-start', iteration, rough.note(cols[k]));
        done[k] = 1;
      } else if (iteration >= maxIterations) {
        finish(k, 'max-iterations', iteration);
        done[k] = 1;
      }
    }
    if (exactEvery > 0 && iteration % exactEvery === 0) {
      const col = matrix(n, 1);
      for (let k = 0; k < ka; k++) {
        const j = cols[k];
        if (done[k] || rough?.signals[j] === 1) continue;
        for (let i = 0; i < n; i++) col.data[i] = x.data[i * ka + k];
        // z is not sparse: its "support" is every coordinate, and the exact solve is one least squares.
        const support = nonnegative
          ? columnSupport(col, 0, candidateTolerance)
          : Int32Array.from({ length: n }, (_, i) => i);
        // As in FISTA: the first check tries once before the support could settle.
        const first = lastSupport[j] === undefined;
        if ((first || nearlySameSupport(lastSupport[j], support)) && schedule.due(j, iteration, support)) {
          const info = { widened: 0 };
          let cand = exactConstrainedCandidate(problem, j, support, kktTolerance, info);
          let note = widenedNote(info.widened);
          if (cand === undefined) {
            // Under noise some off-support rows are active at the minimiser: guess them from the
            // iterate (pre-activation within candidateTolerance of 0, or above it) and solve with them held at 0.
            const active = activeRowsOf(pre, mask, k, ka, candidateTolerance * scaleOf(nextW, k, ka));
            cand = activeConstraintCandidate(problem, j, support, active, kktTolerance);
            if (cand !== undefined) note = `${active.length} off-support rows active (held at 0)`;
          }
          if (cand !== undefined) {
            for (let i = 0; i < n; i++) x.data[i * ka + k] = cand[i];
            finish(k, 'kkt', iteration, note);
            done[k] = 1;
          } else schedule.failed(j, iteration, support);
        }
        lastSupport[j] = support;
      }
    }
    if (done.some((d) => d === 1)) {
      const keep: number[] = [];
      for (let k = 0; k < ka; k++) if (!done[k]) keep.push(k);
      x = matrix(n, keep.length, keepColumns(x.data, n, ka, keep));
      pre = matrix(m, keep.length, keepColumns(pre.data, m, ka, keep));
      nextW = matrix(m, keep.length, keepColumns(nextW.data, m, ka, keep));
      a = keepColumns(a, m, ka, keep);
      u = keepColumns(u, m, ka, keep);
      mask = Uint8Array.from(keepColumns(mask, m, ka, keep));
      cols = Int32Array.from(keep, (k) => cols[k]);
    }
    yield Math.max((count - cols.length) / count, iteration / maxIterations);
  }
  return reports;
}

/**
 * Exact candidate where some off-support rows are active (held at their
 * bound, (W x + b)_r = 0): under noise the minimiser of the layer problem
 * usually presses on a few of its inequality rows, which the candidate of
 * exactConstrainedCandidate (inequalities left out) then violates. With the
 * columns T (x_T > 0 for hidden layers; every coordinate for z) and the
 * active rows A, the equality-constrained least squares
 *
 *   min ½‖(W_{S,T} x + b_S − x̂_S)‖² + λ1ᵀx + (γ/2)‖x‖²  s.t.  W_{A,T} x + b_A = 0
 *
 * is solved exactly (range-space method: H = W_{S,T}ᵀW_{S,T} + γI,
 * (W_A H⁻¹ W_Aᵀ) μ = W_A H⁻¹ d + b_A, x = H⁻¹(d − W_Aᵀμ)). T and A start from
 * the guesses (read off an iterate) and are mended by active-set rounds:
 * first up to BULK_ROUNDS primal–dual rounds in which every violated index
 * moves at once (violated off-support rows join A, multipliers < 0 leave A,
 * hidden entries ≤ 0 leave T, columns with a negative gradient (with W_Aᵀμ)
 * join T); if those meet a singular system or do not settle, up to
 * ACTIVE_ROUNDS rounds from the original guesses moving one index each, in
 * this order: the most violated row joins A, the most negative multiplier
 * leaves A, the most negative entry leaves T, the most negative gradient's
 * column joins T. The answer
 * meets every KKT condition of the full problem — x_T > 0, μ ≥ 0, the other
 * off-support rows ≤ 0, ∇f + W_Aᵀμ ≥ 0 off T — to `tolerance` of the layer's
 * scale (max|x̂|) or of its gradient's. Undefined when the rounds run out or a
 * system is singular.
 */
export function activeConstraintCandidate(
  problem: ConstrainedLayerProblem,
  j: number,
  support: Int32Array,
  active: Int32Array,
  tolerance: number,
): Float64Array | undefined {
  const { W, bias, next, rowMask, nonnegative, lambda } = problem;
  const m = W.rows;
  const n = W.cols;
  const count = next.cols;
  const S: number[] = [];
  let scale = 0;
  for (let r = 0; r < m; r++) {
    const v = next.data[r * count + j];
    scale = Math.max(scale, Math.abs(v));
    if (rowMask[r * count + j]) S.push(r);
  }
  const tol = tolerance * Math.max(scale, Number.MIN_VALUE);
  // The supported rows' Gram matrix G = W_Sᵀ W_S and W_Sᵀ(x̂ − b)_S, once: each round slices them.
  const gram = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  for (const r of S) {
    const row = r * n;
    const c = next.data[r * count + j] - bias[r];
    for (let a = 0; a < n; a++) {
      const ra = W.data[row + a];
      if (ra === 0) continue;
      rhs[a] += ra * c;
      for (let b = 0; b <= a; b++) gram[a * n + b] += ra * W.data[row + b];
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) gram[b * n + a] = gram[a * n + b];
  const normal = { gram, rhs };
  // The gradient's scale at x = 0, for the multipliers' and the reduced gradient's tolerance.
  let gradScale = Math.abs(lambda);
  for (let c = 0; c < n; c++) gradScale = Math.max(gradScale, Math.abs(rhs[c]));
  const muTol = tolerance * Math.max(gradScale, Number.MIN_VALUE);
  let T = Array.from(support);
  let A = Array.from(active);
  // Bulk rounds first (a primal–dual active set: every violated index moves at once; from a guess
  // read off an early iterate it settles in a few rounds where one index per round takes dozens);
  // if they meet a singular system or do not settle, one index per round from the original guess.
  let bulk = true;
  const fallBack = () => {
    bulk = false;
    T = Array.from(support);
    A = Array.from(active);
  };
  for (let round = 0, single = 0; single < ACTIVE_ROUNDS; round++) {
    if (!bulk) single++;
    const solved = equalityConstrainedSolve(problem, normal, T, A);
    if (solved === undefined) {
      if (!bulk) return undefined;
      fallBack();
      continue;
    }
    const { x, mu, pre } = solved;
    // Off-support rows above 0 join A (the most violated first).
    const inA = new Uint8Array(m);
    for (const r of A) inA[r] = 1;
    const rowsUp: number[] = [];
    for (let r = 0; r < m; r++) if (!rowMask[r * count + j] && !inA[r] && pre[r] > tol) rowsUp.push(r);
    rowsUp.sort((p, q) => pre[q] - pre[p]);
    // Multipliers with the wrong sign: those rows are not pressed on; they leave A.
    const muDown: number[] = [];
    for (let i = 0; i < A.length; i++) if (mu[i] < -muTol) muDown.push(i);
    muDown.sort((p, q) => mu[p] - mu[q]);
    // Primal entries of T with the wrong sign leave T.
    const xDown: number[] = [];
    if (nonnegative) for (let a = 0; a < T.length; a++) if (!(x[T[a]] > 0)) xDown.push(a);
    xDown.sort((p, q) => x[T[p]] - x[T[q]]);
    // Off T: ∇f_c + λ + (W_Aᵀμ)_c ≥ 0 with ∇f = W_Sᵀ(W_S x + b_S − x̂_S) = G x − W_Sᵀ(x̂ − b)_S; negative ones join T.
    const colsUp: { c: number; g: number }[] = [];
    if (nonnegative) {
      const inT = new Uint8Array(n);
      for (const c of T) inT[c] = 1;
      for (let c = 0; c < n; c++) {
        if (inT[c]) continue;
        let g = lambda - rhs[c];
        for (const a of T) g += gram[c * n + a] * x[a];
        for (let i = 0; i < A.length; i++) g += W.data[A[i] * n + c] * mu[i];
        if (g < -muTol) colsUp.push({ c, g });
      }
      colsUp.sort((p, q) => p.g - q.g);
    }
    if (rowsUp.length + muDown.length + xDown.length + colsUp.length === 0) return x;
    if (bulk && round + 1 >= BULK_ROUNDS) fallBack();
    else if (bulk) {
      const leaveA = new Set(muDown);
      const leaveT = new Set(xDown);
      T = [...T.filter((_, a) => !leaveT.has(a)), ...colsUp.map((e) => e.c)].sort((p, q) => p - q);
      A = A.filter((_, i) => !leaveA.has(i));
      // No more active rows than columns less one (else the system is singular): the most violated first.
      A.push(...rowsUp.slice(0, Math.max(0, T.length - 1 - A.length)));
    } else if (rowsUp.length > 0) A.push(rowsUp[0]);
    else if (muDown.length > 0) A.splice(muDown[0], 1);
    else if (xDown.length > 0) T.splice(xDown[0], 1);
    else T = [...T, colsUp[0].c].sort((p, q) => p - q);
  }
  return undefined;
}

/** Rounds of activeConstraintCandidate that move every violated index at once, before it moves one per round. */
const BULK_ROUNDS = 12;

/** Active-set rounds of activeConstraintCandidate at most. */
const ACTIVE_ROUNDS = 8;

/**
 * The equality-constrained least squares of activeConstraintCandidate on
 * columns T and active rows A, from the supported rows' normal equations
 * (G = W_SᵀW_S, rhs = W_Sᵀ(x̂ − b)_S): x (full length), μ per row of A, and the
 * pre-activations W x + b. Undefined when H or W_A H⁻¹ W_Aᵀ is singular.
 */
function equalityConstrainedSolve(
  problem: ConstrainedLayerProblem,
  normal: { readonly gram: Float64Array; readonly rhs: Float64Array },
  T: readonly number[],
  A: readonly number[],
): { x: Float64Array; mu: Float64Array; pre: Float64Array } | undefined {
  const { W, bias, nonnegative, lambda, gamma } = problem;
  const m = W.rows;
  const n = W.cols;
  const t = T.length;
  const q = A.length;
  if (t === 0 || q >= t) return undefined;
  // H = G[T,T] + γI and d = rhs_T − λ1 (hidden layers).
  const H = new Float64Array(t * t);
  const d = new Float64Array(t);
  for (let a = 0; a < t; a++) {
    const row = T[a] * n;
    for (let b = 0; b < t; b++) H[a * t + b] = normal.gram[row + T[b]];
    H[a * t + a] += gamma;
    d[a] = normal.rhs[T[a]] - (nonnegative ? lambda : 0);
  }
  if (!choleskyInPlace(H, t)) return undefined;
  // Y = H⁻¹W_{A,T}ᵀ (a column per active row), then the q × q system for μ.
  const Y = new Float64Array(q * t);
  for (let i = 0; i < q; i++) {
    const y = Y.subarray(i * t, (i + 1) * t);
    for (let a = 0; a < t; a++) y[a] = W.data[A[i] * n + T[a]];
    choleskySolveInPlace(H, t, y);
  }
  const xd = choleskySolveInPlace(H, t, Float64Array.from(d));
  const M = new Float64Array(q * q);
  const mu = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    const ri = A[i] * n;
    let s = bias[A[i]];
    for (let a = 0; a < t; a++) s += W.data[ri + T[a]] * xd[a];
    mu[i] = s;
    for (let k = 0; k <= i; k++) {
      let e = 0;
      const yk = k * t;
      for (let a = 0; a < t; a++) e += W.data[ri + T[a]] * Y[yk + a];
      M[i * q + k] = e;
      M[k * q + i] = e;
    }
  }
  if (q > 0) {
    if (!choleskyInPlace(M, q)) return undefined;
    choleskySolveInPlace(M, q, mu);
  }
  const x = new Float64Array(n);
  for (let a = 0; a < t; a++) {
    let v = xd[a];
    for (let i = 0; i < q; i++) v -= Y[i * t + a] * mu[i];
    x[T[a]] = v;
  }
  const pre = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    let p = bias[r];
    for (let a = 0; a < t; a++) p += W.data[r * n + T[a]] * x[T[a]];
    pre[r] = p;
  }
  return { x, mu, pre };
}

/** The note of a candidate whose equation rows were widened (exactConstrainedCandidate). */
export function widenedNote(widened: number): string | undefined {
  return widened === 0
    ? undefined
    : `${widened} row${widened === 1 ? '' : 's'} whose estimate is positive but below the support tolerance joined the equations`;
}

/** Constraint violation, relative to the layer's scale, below which a plateau of the objective counts as a stall. */
const STALL_FEASIBILITY = 1e-6;

/** Off-support rows of batch column k whose pre-activation is above −δ: the active constraints' guess. */
function activeRowsOf(pre: Matrix, mask: Uint8Array, k: number, ka: number, delta: number): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < pre.rows; r++) if (!mask[r * ka + k] && pre.data[r * ka + k] > -delta) rows.push(r);
  return Int32Array.from(rows);
}

/** max_r |x̂_r| of batch column k: the layer's scale for that signal. */
function scaleOf(next: Matrix, k: number, ka: number): number {
  let s = 0;
  for (let r = 0; r < next.rows; r++) s = Math.max(s, Math.abs(next.data[r * ka + k]));
  return s;
}

/** Candidate support of batch column k, as the exact step reads it. */
function supportOfColumn(x: Matrix, k: number, n: number, ka: number, tolerance: number): Int32Array {
  const col = matrix(n, 1);
  for (let i = 0; i < n; i++) col.data[i] = x.data[i * ka + k];
  return columnSupport(col, 0, tolerance);
}
