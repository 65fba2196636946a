import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { columnSupport, nearlySameSupport } from './support';
import { stallDetector, type StallRule } from './stall';
import { emptyHistory, recordHistory, type PhaseReport, type PhaseStop, type RoughStart } from './types';

/**
 * The smooth part f of a composite problem min f(x) + h(x), evaluated on
 * pre-activations p = W x + b for a batch of signals (columns).
 */
export interface SmoothTerm {
  /**
   * For the active columns (`cols[k]` is the original signal index of batch
   * column k): writes f per column into `f`, and when `grad` is given, the
   * factor R with ∇f = Wᵀ R (same shape as `pre`).
   */
  evaluate(pre: Matrix, cols: Int32Array, f: Float64Array, grad: Matrix | undefined): void;
}

/** h(x): λ‖x‖₁ (`l1`) or λ1ᵀx + indicator(x ≥ 0) (`nonneg-l1`). */
export type ProxKind = 'l1' | 'nonneg-l1';

export interface FistaProblem {
  readonly W: Matrix;
  /** Wᵀ, kept once per layer. */
  readonly Wt: Matrix;
  readonly bias?: Float64Array;
  readonly smooth: SmoothTerm;
  readonly prox: ProxKind;
  /** λ per signal (original index). */
  readonly lambda: Float64Array;
  /** An upper bound on Lip(∇f) (e.g. λ_max(WᵀW)·max φ′²); backtracking corrects it if it is too small. */
  readonly lipschitz: number;
  /**
   * Exact solve from a support guess (original signal index j, support T):
   * returns the full-length candidate x, or undefined when it cannot (singular
   * system, wrong signs). The engine accepts it only if the KKT conditions hold.
   * `settled` is false for the one early attempt at the first check, before the
   * support could be compared with an earlier one (a callback may spend less on it).
   */
  exactOnSupport?(j: number, support: Int32Array, iterate: Float64Array, settled: boolean): Float64Array | undefined;
}

export interface FistaOptions {
  /** Iteration cap per signal. @default 5000 */
  readonly maxIterations?: number;
  /** Stop when ‖x⁺ − x‖ ≤ tol·‖x⁺‖. @default 1e-12 */
  readonly tolerance?: number;
  /**
   * Relative tolerance that picks the candidate support for the exact solve.
   * Coarser than the final support tolerance on purpose: a wrong guess costs
   * one small solve and is rejected by the KKT check, a right one ends the
   * iterations early. @default 1e-3
   */
  readonly candidateTolerance?: number;
  /** Try the exact solve every this many iterations once the support is unchanged since the last try. @default 10; 0 = plain FISTA */
  readonly exactEvery?: number;
  /**
   * The first try, before the support could settle. From a warm start whose support is already
   * (nearly) right, 1 saves the iterations to `exactEvery`. @default exactEvery
   */
  readonly firstExactAt?: number;
  /** KKT tolerance, relative to the gradient's scale at x = 0. @default 1e-9 */
  readonly kktTolerance?: number;
  /** When the iterations count as stalled (stall.ts). @default window 100, tolerance 1e-6 */
  readonly stall?: StallRule;
  /**
   * Failed exact attempts per signal after which it tries no more (the phase then ends by
   * its tolerance, the stall rule or the cap). @default unlimited (the schedule spaces them out)
   */
  readonly maxExactFailures?: number;
  /** Signals that need only a rough iterate (types.ts, RoughStart). */
  readonly rough?: RoughStart;
  /** Phase name for reports. */
  readonly phase: string;
}

/** Shrinks the working columns of a matrix to `keep` (indices into current columns), in place order. */
function compact(m: Matrix, keep: Int32Array): Matrix {
  const out = matrix(m.rows, keep.length);
  for (let i = 0; i < m.rows; i++) {
    const src = i * m.cols;
    const dst = i * keep.length;
    for (let k = 0; k < keep.length; k++) out.data[dst + k] = m.data[src + keep[k]];
  }
  return out;
}

/**
 * Batched FISTA (Beck & Teboulle) with per-signal step sizes found by
 * backtracking and a monotone momentum restart (a step that would raise
 * F = f + h is refused and the momentum reset), for min_x f(W x + b) + h(x)
 * over every column at once.
 *
 * Stopping rule, per signal: (1) every `exactEvery` iterations, if the
 * candidate support (entries above `candidateTolerance`·max) has changed in at
 * most max(2, 5%) indices since the previous check (or at the first check, once),
 * solve exactly from it and
 * accept that solution when the KKT conditions hold to `kktTolerance` (stop
 * `kkt`) — an attempt that fails again on the same support waits twice as
 * long for the next (10, 20, 40, … iterations), a new support is tried at
 * the next check; (2) else stop when the relative change ≤ `tolerance` — `kkt` where the
 * iterate, its negligible entries set to zero, meets the KKT conditions, else `converged`;
 * (3) else when the candidate support and the objective have stalled
 * (`stalled`, stall.ts: by default unchanged support and F within 1e-6
 * relative over 100 iterations) — or `kkt` where the stalled iterate, its
 * negligible entries set to zero, meets the KKT conditions; (4) else at `maxIterations` — or, for the
 * signals of `rough`, at its budget (`rough-start`). Finished signals leave the batch, so later
 * products only involve the ones still running.
 *
 * A generator: it yields after every iteration (progress in [0, 1]) so a
 * caller can report progress and stop between iterations.
 *
 * @param x0 initial iterate (n × count); also receives the solution.
 */
/**
 * When FISTA (or ADMM) tries its exact step again after a failure. An attempt
 * that fails on nearly the support of the signal's previous failure
 * (nearlySameSupport: within max(2, 5%) indices) waits twice as long before
 * the next try (every, 2·every, 4·every, …): a signal stuck on one support —
 * or, under noise, drifting slowly around one — would otherwise repeat the
 * same costly active-set solve every `every` iterations until maxIterations.
 * A support further from the last failed one is due at once, so a support
 * that settles late is not kept waiting by earlier failures — for the first
 * FREE_RETRIES failures; after those every failure doubles the wait, whatever
 * the support (under noise the candidate support drifts by more than 5%
 * between checks while no exact step passes the KKT check, and each attempt
 * costs a factorisation and a Gauss–Newton solve). After `maxFailures`
 * failures a signal tries no more.
 */
export function exactAttemptSchedule(count: number, every: number, maxFailures = Number.POSITIVE_INFINITY) {
  const wait = new Float64Array(count).fill(every);
  const next = new Float64Array(count);
  const failures = new Int32Array(count);
  const failedOn: (Int32Array | undefined)[] = new Array(count).fill(undefined);
  return {
    /** Whether signal j, at this iteration with this candidate support, should try. */
    due(j: number, iteration: number, support: Int32Array): boolean {
      if (failures[j] >= maxFailures) return false;
      return iteration >= next[j] || (failures[j] < FREE_RETRIES && !nearlySameSupport(failedOn[j], support));
    },
    /** Signal j's attempt on `support` failed at `iteration`. */
    failed(j: number, iteration: number, support: Int32Array): void {
      failures[j]++;
      wait[j] = failures[j] > FREE_RETRIES || nearlySameSupport(failedOn[j], support) ? 2 * wait[j] : every;
      failedOn[j] = support;
      next[j] = iteration + wait[j];
    },
  };
}

/** Failed exact attempts after which a new support no longer earns an immediate retry (exactAttemptSchedule). */
const FREE_RETRIES = 3;

/** Entries of an iterate at most this fraction of its largest are taken as zero by the KKT check of a stalled iterate. */
const NEGLIGIBLE = 1e-9;

export function* fista(
  problem: FistaProblem,
  x0: Matrix,
  options: FistaOptions,
): Generator<number, PhaseReport[], void> {
  const { W, Wt, bias, smooth, prox, lambda } = problem;
  const maxIterations = options.maxIterations ?? 5000;
  const tolerance = options.tolerance ?? 1e-12;
  const candidateTolerance = options.candidateTolerance ?? 1e-3;
  const exactEvery = problem.exactOnSupport === undefined ? 0 : (options.exactEvery ?? 10);
  const firstExactAt = options.firstExactAt ?? exactEvery;
  const kktTolerance = options.kktTolerance ?? 1e-9;
  const rough = options.rough;
  if (rough !== undefined && !(Number.isInteger(rough.iterations) && rough.iterations >= 1))
    throw new RangeError(`rough iterations must be a positive integer, got ${rough.iterations}`);
  const n = W.cols;
  const m = W.rows;
  const count = x0.cols;
  const out = x0;

  const reports: (PhaseReport | undefined)[] = new Array(count).fill(undefined);
  const histories = Array.from({ length: count }, emptyHistory);
  const lastSupport: (Int32Array | undefined)[] = new Array(count).fill(undefined);
  const schedule = exactAttemptSchedule(count, exactEvery, options.maxExactFailures);
  const stall = stallDetector(count, options.stall);

  let cols = Int32Array.from({ length: count }, (_, j) => j);
  let x = matrix(n, count, Float64Array.from(x0.data));
  let xPrev = matrix(n, count, Float64Array.from(x0.data));
  let preX = gemm(W, x, matrix(m, count), bias);
  let prePrev = matrix(m, count, Float64Array.from(preX.data));
  let t = new Float64Array(count).fill(1);
  // F(x) of the current iterate: the iterations only accept steps that do not raise it.
  let objective = new Float64Array(count);
  smooth.evaluate(preX, cols, objective, undefined);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < count; j++) objective[j] += lambda[j] * Math.abs(x.data[i * count + j]);
  let step = new Float64Array(count).fill(1 / Math.max(problem.lipschitz, Number.MIN_VALUE));

  // Gradient scale at x = 0 for the KKT tolerance: max_i |(Wᵀ R(0))_i| + λ (the smallest λ giving x = 0).
  const kktScale = new Float64Array(count);
  {
    const pre0 = gemm(W, matrix(n, count), matrix(m, count), bias);
    const r0 = matrix(m, count);
    smooth.evaluate(pre0, cols, new Float64Array(count), r0);
    const g0 = gemm(Wt, r0, matrix(n, count));
    for (let j = 0; j < count; j++) {
      let mx = 0;
      for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(g0.data[i * count + j]));
      kktScale[j] = Math.max(mx + lambda[j], Number.MIN_VALUE);
    }
  }

  // Work buffers sized for the whole batch, allocated once; each iteration views their first ka columns.
  const buffers = {
    v: new Float64Array(n * count),
    preV: new Float64Array(m * count),
    r: new Float64Array(m * count),
    g: new Float64Array(n * count),
    u: new Float64Array(n * count),
    preU: new Float64Array(m * count),
  };
  const scalars = {
    beta: new Float64Array(count),
    tNext: new Float64Array(count),
    fV: new Float64Array(count),
    fU: new Float64Array(count),
    change: new Float64Array(count),
    size: new Float64Array(count),
    inner: new Float64Array(count),
    dist: new Float64Array(count),
    objU: new Float64Array(count),
  };
  const flags = { accepted: new Uint8Array(count), done: new Uint8Array(count), converged: new Uint8Array(count) };
  const view = (buf: Float64Array, rows: number, ka: number) => matrix(rows, ka, buf.subarray(0, rows * ka));
  const slice = <T extends Float64Array | Uint8Array>(a: T, ka: number): T => {
    const part = a.subarray(0, ka) as T;
    part.fill(0);
    return part;
  };

  const finish = (k: number, stop: PhaseStop, iterations: number, note?: string) => {
    const j = cols[k];
    for (let i = 0; i < n; i++) out.data[i * count + j] = x.data[i * cols.length + k];
    reports[j] = {
      phase: options.phase,
      iterations,
      stopReason: stop,
      ...histories[j],
      ...(note ? { note } : {}),
    };
  };

  let iteration = 0;
  while (cols.length > 0) {
    iteration++;
    const ka = cols.length;
    // Momentum point v = x + β(x − x_prev); its pre-activation follows by linearity.
    const beta = slice(scalars.beta, ka);
    const tNext = slice(scalars.tNext, ka);
    for (let k = 0; k < ka; k++) {
      tNext[k] = (1 + Math.sqrt(1 + 4 * t[k] * t[k])) / 2;
      beta[k] = (t[k] - 1) / tNext[k];
    }
    const v = view(buffers.v, n, ka);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < ka; k++) {
        const p = i * ka + k;
        v.data[p] = x.data[p] + beta[k] * (x.data[p] - xPrev.data[p]);
      }
    }
    const preV = view(buffers.preV, m, ka);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < ka; k++) {
        const p = i * ka + k;
        preV.data[p] = preX.data[p] + beta[k] * (preX.data[p] - prePrev.data[p]);
      }
    }
    const fV = slice(scalars.fV, ka);
    const r = view(buffers.r, m, ka);
    smooth.evaluate(preV, cols, fV, r);
    const g = gemm(Wt, r, view(buffers.g, n, ka));

    // Proximal step from v.
    const u = view(buffers.u, n, ka);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < ka; k++) {
        const p = i * ka + k;
        const mu = step[k];
        const lam = lambda[cols[k]];
        const w = v.data[p] - mu * g.data[p];
        u.data[p] =
          prox === 'nonneg-l1' ? Math.max(w - mu * lam, 0) : Math.sign(w) * Math.max(Math.abs(w) - mu * lam, 0);
      }
    }
    const preU = gemm(W, u, view(buffers.preU, m, ka), bias);
    const fU = slice(scalars.fU, ka);
    smooth.evaluate(preU, cols, fU, undefined);

    // Sufficient decrease: f(u) ≤ f(v) + ⟨g, u − v⟩ + ‖u − v‖²/(2μ); else halve μ and restart momentum.
    const accepted = slice(flags.accepted, ka);
    const change = slice(scalars.change, ka);
    const size = slice(scalars.size, ka);
    const inner = slice(scalars.inner, ka);
    const dist = slice(scalars.dist, ka);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < ka; k++) {
        const p = i * ka + k;
        const d = u.data[p] - v.data[p];
        inner[k] += g.data[p] * d;
        dist[k] += d * d;
        const c = u.data[p] - x.data[p];
        change[k] += c * c;
        size[k] += u.data[p] * u.data[p];
      }
    }
    // 1 = accept; 0 = the step was too long (halve it); 2 = the objective rose (restart the momentum, O'Donoghue–Candès).
    const objU = slice(scalars.objU, ka);
    for (let i = 0; i < n; i++) for (let k = 0; k < ka; k++) objU[k] += Math.abs(u.data[i * ka + k]);
    for (let k = 0; k < ka; k++) {
      const bound = fV[k] + inner[k] + dist[k] / (2 * step[k]);
      objU[k] = fU[k] + lambda[cols[k]] * objU[k];
      const decrease = fU[k] <= bound + 1e-12 * Math.abs(bound);
      const monotone = objU[k] <= objective[k] + 1e-15 * Math.abs(objective[k]);
      accepted[k] = decrease ? (monotone ? 1 : 2) : 0;
    }
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < ka; k++) {
        if (accepted[k] !== 1) continue;
        const p = i * ka + k;
        xPrev.data[p] = x.data[p];
        x.data[p] = u.data[p];
      }
    }
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < ka; k++) {
        if (accepted[k] !== 1) continue;
        const p = i * ka + k;
        prePrev.data[p] = preX.data[p];
        preX.data[p] = preU.data[p];
      }
    }
    const done = slice(flags.done, ka);
    const stalled: number[] = [];
    // Converged signals, when there are exact steps: their iterate is checked for KKT below.
    const converged = slice(flags.converged, ka);
    for (let k = 0; k < ka; k++) {
      const j = cols[k];
      if (accepted[k] === 1) {
        t[k] = tNext[k];
        objective[k] = objU[k];
        // The misfit is f(u), the smooth data term; the objective adds h(u).
        recordHistory(histories[j], iteration, objU[k], fU[k]);
        if (Math.sqrt(change[k]) <= tolerance * Math.sqrt(size[k])) {
          if (exactEvery > 0) {
            converged[k] = 1;
            stalled.push(k);
            continue;
          }
          finish(k, 'converged', iteration);
          done[k] = 1;
        }
      } else {
        if (accepted[k] === 0) step[k] /= 2;
        t[k] = 1;
        for (let i = 0; i < n; i++) xPrev.data[i * ka + k] = x.data[i * ka + k];
        for (let i = 0; i < m; i++) prePrev.data[i * ka + k] = preX.data[i * ka + k];
      }
      if (!done[k] && stall.due(iteration)) {
        const xs = view(buffers.u, n, 1);
        for (let i = 0; i < n; i++) xs.data[i] = x.data[i * ka + k];
        if (stall.stalled(j, objective[k], columnSupport(xs, 0, candidateTolerance))) {
          stalled.push(k);
          continue;
        }
      }
      if (!done[k] && rough?.signals[j] === 1 && iteration >= rough.iterations) {
        finish(k, 'rough-start', iteration, rough.note(j));
        done[k] = 1;
      }
      if (!done[k] && iteration >= maxIterations) {
        finish(k, 'max-iterations', iteration);
        done[k] = 1;
      }
    }

    // A stalled signal whose iterate (its negligible entries set to zero) already meets the KKT
    // conditions stops on them: the exact step can miss a point the iterations have reached
    // (under noise its support comes from the inverted equations, not from the φ-domain problem).
    // So does a converged one (a good warm start converges at once), else it stops as converged.
    if (stalled.length > 0) {
      const cand = matrix(n, stalled.length);
      stalled.forEach((k, q) => {
        let max = 0;
        for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(x.data[i * ka + k]));
        for (let i = 0; i < n; i++) {
          const v = x.data[i * ka + k];
          cand.data[i * stalled.length + q] = Math.abs(v) > NEGLIGIBLE * max ? v : 0;
        }
      });
      const ok = kktHolds(
        problem,
        cand,
        Int32Array.from(stalled, (k) => cols[k]),
        kktScale,
        kktTolerance,
      );
      stalled.forEach((k, q) => {
        if (ok[q]) for (let i = 0; i < n; i++) x.data[i * ka + k] = cand.data[i * stalled.length + q];
        if (ok[q]) finish(k, 'kkt', iteration, 'the iterate meets the KKT conditions');
        else if (converged[k]) finish(k, 'converged', iteration);
        else finish(k, 'stalled', iteration, stall.describe());
        done[k] = 1;
      });
    }

    // Exact solve on settled supports, accepted only when KKT holds.
    if (exactEvery > 0 && (iteration % exactEvery === 0 || iteration === firstExactAt)) {
      const tries: { k: number; x: Float64Array; support: Int32Array }[] = [];
      for (let k = 0; k < ka; k++) {
        const j = cols[k];
        if (done[k] || rough?.signals[j] === 1) continue;
        const xs = view(buffers.u, n, 1); // u is no longer needed this iteration
        for (let i = 0; i < n; i++) xs.data[i] = x.data[i * ka + k];
        const support = columnSupport(xs, 0, candidateTolerance);
        // "Nearly settled" is enough: the exact step's active-set rounds mend a few wrong indices.
        // The first check tries once anyway: where the rounds can mend the early guess (clean
        // data, a well-posed layer) that saves the iterations a slowly settling support takes,
        // hundreds on a generator whose output slope is small on most pixels.
        const settled = nearlySameSupport(lastSupport[j], support);
        const first = lastSupport[j] === undefined;
        lastSupport[j] = support;
        if ((!settled && !first) || !schedule.due(j, iteration, support)) continue;
        const candidate = problem.exactOnSupport!(j, support, xs.data, settled);
        if (candidate !== undefined) tries.push({ k, x: candidate, support });
        else schedule.failed(j, iteration, support);
      }
      if (tries.length > 0) {
        const cand = matrix(n, tries.length);
        const candCols = Int32Array.from(tries, (c) => cols[c.k]);
        tries.forEach((c, q) => {
          for (let i = 0; i < n; i++) cand.data[i * tries.length + q] = c.x[i];
        });
        const ok = kktHolds(problem, cand, candCols, kktScale, kktTolerance);
        tries.forEach((c, q) => {
          if (!ok[q]) return schedule.failed(cols[c.k], iteration, c.support);
          for (let i = 0; i < n; i++) x.data[i * ka + c.k] = c.x[i];
          const j = cols[c.k];
          recordHistory(histories[j], iteration, Number.NaN, Number.NaN);
          finish(c.k, 'kkt', iteration);
          done[c.k] = 1;
        });
      }
    }

    if (done.some((d) => d === 1)) {
      const keep = Int32Array.from({ length: ka }, (_, k) => k).filter((k) => !done[k]);
      x = compact(x, keep);
      xPrev = compact(xPrev, keep);
      preX = compact(preX, keep);
      prePrev = compact(prePrev, keep);
      t = Float64Array.from(keep, (k) => t[k]);
      objective = Float64Array.from(keep, (k) => objective[k]);
      step = Float64Array.from(keep, (k) => step[k]);
      cols = Int32Array.from(keep, (k) => cols[k]);
    }
    yield Math.max((count - cols.length) / count, iteration / maxIterations);
  }
  return reports as PhaseReport[];
}

/**
 * KKT conditions of min f(x) + h(x) at candidate columns, with g = ∇f:
 * l1: |g_i + λ sign(x_i)| ≤ tol where x_i ≠ 0, |g_i| ≤ λ + tol elsewhere;
 * nonneg-l1: x ≥ 0, |g_i + λ| ≤ tol where x_i > 0, g_i + λ ≥ −tol where x_i = 0.
 * tol = kktTolerance · (gradient scale at 0) per signal.
 */
export function kktHolds(
  problem: Pick<FistaProblem, 'W' | 'Wt' | 'bias' | 'smooth' | 'prox' | 'lambda'>,
  cand: Matrix,
  cols: Int32Array,
  scale: Float64Array,
  kktTolerance: number,
): Uint8Array {
  const { W, Wt, bias, smooth, prox, lambda } = problem;
  const ka = cand.cols;
  const pre = gemm(W, cand, matrix(W.rows, ka), bias);
  const r = matrix(W.rows, ka);
  smooth.evaluate(pre, cols, new Float64Array(ka), r);
  const g = gemm(Wt, r, matrix(W.cols, ka));
  const ok = new Uint8Array(ka).fill(1);
  for (let i = 0; i < W.cols; i++) {
    for (let q = 0; q < ka; q++) {
      const j = cols[q];
      const tol = kktTolerance * scale[j];
      const xi = cand.data[i * ka + q];
      const gi = g.data[i * ka + q];
      const lam = lambda[j];
      let good: boolean;
      if (prox === 'nonneg-l1') good = xi > 0 ? Math.abs(gi + lam) <= tol : xi === 0 && gi + lam >= -tol;
      else good = xi !== 0 ? Math.abs(gi + lam * Math.sign(xi)) <= tol : Math.abs(gi) <= lam + tol;
      if (!good) ok[q] = 0;
    }
  }
  return ok;
}
