import { describe, expect, it } from 'vitest';
import { transpose } from '../../../../src/core/linalg/dense';
import { gemm } from '../../../../src/core/linalg/gemm';
import { powerIterationGram } from '../../../../src/core/linalg/power';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { activeSetLasso } from '../../../../src/core/pursuit/activeSet';
import {
  activeConstraintCandidate,
  exactConstrainedCandidate,
  linearizedAdmm,
  type ConstrainedLayerProblem,
} from '../../../../src/core/pursuit/admm';
import { exactAttemptSchedule, fista, kktHolds, type FistaProblem } from '../../../../src/core/pursuit/fista';
import { leastSquaresOnSupport } from '../../../../src/core/pursuit/leastSquares';
import { maskedLeastSquares } from '../../../../src/core/pursuit/smooth';
import { quadprog } from '../../../helpers/quadprog';

const rows = (m: Matrix) =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const run = <R>(g: Generator<number, R, void>): R => {
  for (;;) {
    const s = g.next();
    if (s.done) return s.value;
  }
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

function randomMatrix(seed: number, m: number, n: number): Matrix {
  return matrix(m, n, createRng(seed).fillGaussian(new Float64Array(m * n), 1 / Math.sqrt(m)));
}

/** ½‖c − A x‖² + λ‖x‖₁ (or λ1ᵀx on x ≥ 0). */
function lassoObjective(A: Matrix, c: Float64Array, x: ArrayLike<number>, lambda: number): number {
  let f = 0;
  for (let r = 0; r < A.rows; r++) {
    let s = -c[r];
    for (let k = 0; k < A.cols; k++) s += A.data[r * A.cols + k] * x[k];
    f += 0.5 * s * s;
  }
  for (let k = 0; k < A.cols; k++) f += lambda * Math.abs(x[k]);
  return f;
}

/** Brute force over every support and sign pattern: the best point that satisfies its own sign pattern. */
function bruteForceLasso(A: Matrix, c: Float64Array, lambda: number, nonnegative: boolean): Float64Array {
  const n = A.cols;
  const At = transpose(A);
  let best = new Float64Array(n);
  let bestF = lassoObjective(A, c, best, lambda);
  const patterns = nonnegative ? 2 ** n : 3 ** n;
  for (let code = 1; code < patterns; code++) {
    const sign = new Float64Array(n);
    let rest = code;
    for (let k = 0; k < n; k++) {
      const digit = nonnegative ? rest % 2 : rest % 3;
      rest = nonnegative ? Math.floor(rest / 2) : Math.floor(rest / 3);
      sign[k] = digit === 0 ? 0 : digit === 1 ? 1 : -1;
    }
    const T = Int32Array.from(all(n).filter((k) => sign[k] !== 0));
    const xT = leastSquaresOnSupport(A, At, all(A.rows), T, c, {
      linear: Float64Array.from(T, (k) => lambda * sign[k]),
    }).x;
    if (xT === undefined || T.some((k, q) => xT[q] * sign[k] <= 0)) continue;
    const x = new Float64Array(n);
    T.forEach((k, q) => (x[k] = xT[q]));
    const f = lassoObjective(A, c, x, lambda);
    if (f < bestF) {
      bestF = f;
      best = x;
    }
  }
  return best;
}

describe('nonnegative lasso (the last layer of Latent-Pursuit, identity φ)', () => {
  const A = randomMatrix(1, 24, 9);
  const At = transpose(A);
  const c = createRng(2).fillGaussian(new Float64Array(24));
  const lambda = 0.05;

  it('the active-set solution matches brute force over supports and quadprog', () => {
    const x = activeSetLasso({ W: A, Wt: At, rows: all(24), target: c, lambda, nonnegative: true, guess: all(9) })!;
    expect(x).toBeDefined();
    expect(maxDiff(x, bruteForceLasso(A, c, lambda, true))).toBeLessThan(1e-10);
    // quadprog: min ½xᵀAᵀAx − (Aᵀc − λ1)ᵀx s.t. x ≥ 0.
    const G = gemm(At, A, matrix(9, 9));
    const d = Array.from({ length: 9 }, (_, k) => rows(At)[k].reduce((s, v, r) => s + v * c[r], 0) - lambda);
    const eye = Array.from({ length: 9 }, (_, i) => Array.from({ length: 9 }, (_, k) => (i === k ? 1 : 0)));
    expect(maxDiff(x, quadprog(rows(G), d, eye, new Array(9).fill(0)))).toBeLessThan(1e-8);
  });

  it('FISTA, plain and with the exact step, reaches the same minimiser and meets KKT', () => {
    const reference = bruteForceLasso(A, c, lambda, true);
    const target = matrix(24, 1, Float64Array.from(c));
    const problem: FistaProblem = {
      W: A,
      Wt: At,
      smooth: maskedLeastSquares(target, undefined),
      prox: 'nonneg-l1',
      lambda: Float64Array.of(lambda),
      lipschitz: 10,
    };
    const plain = matrix(9, 1);
    const [plainReport] = run(
      fista(problem, plain, { phase: 'test', maxIterations: 20000, tolerance: 1e-14, exactEvery: 0 }),
    );
    expect(plainReport.stopReason).toBe('converged');
    expect(maxDiff(plain.data, reference)).toBeLessThan(1e-8);

    const exact = matrix(9, 1);
    const withExact: FistaProblem = {
      ...problem,
      exactOnSupport: (_j, guess) =>
        activeSetLasso({ W: A, Wt: At, rows: all(24), target: c, lambda, nonnegative: true, guess }),
    };
    const [exactReport] = run(fista(withExact, exact, { phase: 'test', exactEvery: 5 }));
    expect(exactReport.stopReason).toBe('kkt');
    expect(exactReport.iterations).toBeLessThan(plainReport.iterations);
    expect(maxDiff(exact.data, reference)).toBeLessThan(1e-12);

    const scale = Float64Array.of(1);
    expect(kktHolds(problem, exact, Int32Array.of(0), scale, 1e-9)[0]).toBe(1);
    const perturbed = matrix(
      9,
      1,
      exact.data.map((v) => v + 1e-3),
    );
    expect(kktHolds(problem, perturbed, Int32Array.of(0), scale, 1e-9)[0]).toBe(0);
  });
});

describe('signed lasso (Layered Basis-Pursuit)', () => {
  it('the active-set solution matches brute force over supports and signs', () => {
    for (const seed of [3, 4, 5]) {
      const A = randomMatrix(seed, 15, 6);
      const c = createRng(seed + 10).fillGaussian(new Float64Array(15));
      const lambda = 0.1;
      const x = activeSetLasso({
        W: A,
        Wt: transpose(A),
        rows: all(15),
        target: c,
        lambda,
        nonnegative: false,
        guess: new Int32Array(0),
      });
      expect(x).toBeDefined();
      expect(maxDiff(x!, bruteForceLasso(A, c, lambda, false))).toBeLessThan(1e-10);
    }
  });

  it('a guess with more entries than rows is trimmed to its largest entries, not refused', () => {
    const A = randomMatrix(6, 12, 30);
    const At = transpose(A);
    const x0 = new Float64Array(30);
    x0[4] = 1.5;
    x0[17] = -2;
    x0[25] = 0.8;
    const c = gemm(A, matrix(30, 1, x0), matrix(12, 1)).data;
    const lambda = 0.01;
    const problem = { W: A, Wt: At, rows: all(12), target: c, lambda, nonnegative: false as const, maxRounds: 200 };
    const solution = activeSetLasso({ ...problem, guess: new Int32Array(0) });
    expect(solution).toBeDefined();
    // An early iterate: the solution plus small entries everywhere, so the guess is all 30
    // columns in 12 rows (a singular Gram matrix).
    const rng = createRng(26);
    const iterate = Float64Array.from(solution!, (v) => v + 1e-3 * rng.gaussian());
    const x = activeSetLasso({ ...problem, guess: all(30), signsFrom: iterate });
    expect(x).toBeDefined();
    expect(maxDiff(x!, solution!)).toBeLessThan(1e-10);
  });

  it('exact attempts back off on (nearly) a support that already failed, and on every support after three failures', () => {
    const schedule = exactAttemptSchedule(2, 10);
    const S = Int32Array.from([1, 4, 7]);
    // Within max(2, 5%) indices of S counts as the same support; T and U are further away.
    const nearS = Int32Array.from([1, 4, 8]);
    const T = Int32Array.from([2, 5, 9]);
    const U = Int32Array.from([0, 3, 6]);
    // Signal 0 keeps failing on S: the waits double (10, 20).
    expect(schedule.due(0, 10, S)).toBe(true);
    schedule.failed(0, 10, S); // first failure on S: next try on S at 20
    expect(schedule.due(0, 20, S)).toBe(true);
    schedule.failed(0, 20, S); // again on S: wait 20, next at 40
    expect(schedule.due(0, 30, S)).toBe(false);
    expect(schedule.due(0, 30, nearS)).toBe(false);
    // A different support is due at once, and a failure on it restarts the wait at 10.
    expect(schedule.due(0, 30, T)).toBe(true);
    schedule.failed(0, 30, T); // third failure: next at 40
    expect(schedule.due(0, 40, T)).toBe(true);
    // After three failures a new support no longer jumps the queue, and every failure doubles the wait.
    expect(schedule.due(0, 35, U)).toBe(false);
    schedule.failed(0, 40, U); // fourth: wait 20, next at 60
    expect(schedule.due(0, 55, T)).toBe(false);
    expect(schedule.due(0, 60, T)).toBe(true);
    // Signals are independent.
    expect(schedule.due(1, 10, S)).toBe(true);
  });

  it('after maxFailures failed attempts a signal tries no more; 0 means never', () => {
    const S = Int32Array.from([1, 4, 7]);
    const twice = exactAttemptSchedule(1, 10, 2);
    twice.failed(0, 10, S);
    expect(twice.due(0, 20, S)).toBe(true);
    twice.failed(0, 20, S);
    expect(twice.due(0, 1e6, S)).toBe(false);
    expect(twice.due(0, 1e6, Int32Array.from([0, 2, 9]))).toBe(false);
    expect(exactAttemptSchedule(1, 10, 0).due(0, 10, S)).toBe(false);
  });

  it('FISTA with maxExactFailures 0 never calls the exact step and ends by its own rules', () => {
    const [m, n, count, lambda] = [40, 60, 4, 1e-3];
    const W = randomMatrix(7, m, n);
    const Wt = transpose(W);
    const Y = matrix(m, count, createRng(8).fillGaussian(new Float64Array(m * count)));
    let calls = 0;
    const problem = lassoProblem(W, Wt, Y, lambda, () => {
      calls++;
      return undefined;
    });
    const reports = run(fista(problem, matrix(n, count), { phase: 'lasso', maxExactFailures: 0 }));
    expect(calls).toBe(0);
    for (const r of reports) expect(['kkt', 'converged', 'stalled']).toContain(r.stopReason);
    // The same problem with attempts allowed does call it.
    run(fista(problem, matrix(n, count), { phase: 'lasso' }));
    expect(calls).toBeGreaterThan(0);
  });

  it('FISTA stops the rough signals at their budget (rough-start, with the note), never trying their exact step', () => {
    const [m, n, count, lambda] = [40, 60, 4, 1e-3];
    const W = randomMatrix(7, m, n);
    const Wt = transpose(W);
    const Y = matrix(m, count, createRng(8).fillGaussian(new Float64Array(m * count)));
    const asked = new Set<number>();
    const problem = lassoProblem(W, Wt, Y, lambda, (j) => {
      asked.add(j);
      return undefined;
    });
    const rough = {
      signals: Uint8Array.from([1, 0, 1, 0]),
      iterations: 30,
      note: (j: number) => `signal ${j}: a start`,
    };
    const reports = run(fista(problem, matrix(n, count), { phase: 'lasso', rough }));
    for (const j of [0, 2]) {
      expect(reports[j]).toMatchObject({ stopReason: 'rough-start', iterations: 30, note: `signal ${j}: a start` });
      expect(asked.has(j)).toBe(false);
    }
    // The others run on by their own rules, exact attempts included.
    for (const j of [1, 3]) {
      expect(reports[j].stopReason).not.toBe('rough-start');
      expect(reports[j].iterations).toBeGreaterThan(30);
      expect(asked.has(j)).toBe(true);
    }
  });

  it('FISTA from a warm start tries the exact step after one iteration with firstExactAt 1, else at exactEvery', () => {
    // A consistent nonnegative problem whose warm start is the answer perturbed by 1e-3 on its support.
    const [m, n, count] = [60, 30, 3];
    const W = randomMatrix(12, m, n);
    const Wt = transpose(W);
    const rng = createRng(13);
    const X = matrix(n, count);
    for (let i = 0; i < n; i += 3) for (let j = 0; j < count; j++) X.data[i * count + j] = 1 + rng.uniform();
    const Y = gemm(W, X, matrix(m, count));
    const problem: FistaProblem = {
      W,
      Wt,
      smooth: maskedLeastSquares(Y, undefined),
      prox: 'nonneg-l1',
      lambda: new Float64Array(count),
      lipschitz: powerIterationGram(W, Wt).lambda,
      exactOnSupport: (j, guess) =>
        activeSetLasso({
          W,
          Wt,
          rows: all(m),
          target: Float64Array.from({ length: m }, (_, r) => Y.data[r * count + j]),
          lambda: 0,
          nonnegative: true,
          guess,
        }),
    };
    const warm = () =>
      matrix(
        n,
        count,
        Float64Array.from(X.data, (v) => (v > 0 ? v + 1e-3 : 0)),
      );
    const early = run(fista(problem, warm(), { phase: 'nnls', firstExactAt: 1 }));
    expect(early.map((r) => [r.stopReason, r.iterations])).toEqual(new Array(count).fill(['kkt', 1]));
    const late = run(fista(problem, warm(), { phase: 'nnls' }));
    expect(late.map((r) => [r.stopReason, r.iterations])).toEqual(new Array(count).fill(['kkt', 10]));
  });

  it('FISTA with exact steps stops on KKT for every signal, even while early supports outnumber the rows', () => {
    // 80 rows, 200 columns, 12-sparse signals, small λ: FISTA's first supports have more
    // than 80 entries, so early exact attempts fail; a signal must not be kept waiting
    // once its support settles.
    const [m, n, count, lambda] = [80, 200, 16, 1e-4];
    const rng = createRng(3);
    const W = randomMatrix(33, m, n);
    const Wt = transpose(W);
    const X = matrix(n, count);
    for (let j = 0; j < count; j++)
      for (let q = 0; q < 12; q++) X.data[Math.floor(rng.uniform() * n) * count + j] = rng.gaussian();
    const Y = gemm(W, X, matrix(m, count));
    const problem = lassoProblem(W, Wt, Y, lambda, (j, guess, iterate) =>
      activeSetLasso({
        W,
        Wt,
        rows: all(m),
        target: Float64Array.from({ length: m }, (_, r) => Y.data[r * count + j]),
        lambda,
        nonnegative: false,
        guess,
        signsFrom: iterate,
      }),
    );
    const reports = run(fista(problem, matrix(n, count), { phase: 'lasso', maxIterations: 20_000 }));
    expect(reports.map((r) => r.stopReason)).toEqual(new Array(count).fill('kkt'));
    expect(Math.max(...reports.map((r) => r.iterations))).toBeLessThan(500);
  });
});

/** FISTA's lasso ½‖Y − W X‖² + λ‖X‖₁ over every row, with the given exact step. */
function lassoProblem(
  W: Matrix,
  Wt: Matrix,
  Y: Matrix,
  lambda: number,
  exactOnSupport: NonNullable<FistaProblem['exactOnSupport']>,
): FistaProblem {
  return {
    W,
    Wt,
    smooth: maskedLeastSquares(Y, undefined),
    prox: 'l1',
    lambda: new Float64Array(Y.cols).fill(lambda),
    lipschitz: powerIterationGram(W, Wt).lambda,
    exactOnSupport,
  };
}

/** A small Eq. 6 / Eq. 10 instance: W (m × n), the next layer's estimate and its support. */
function constrainedInstance(
  seed: number,
  nonnegative: boolean,
  noise: number,
  m = 16,
  n = 5,
): ConstrainedLayerProblem {
  const rng = createRng(seed);
  const W = matrix(m, n, rng.fillGaussian(new Float64Array(m * n)));
  const bias = rng.fillGaussian(new Float64Array(m), 0.3);
  const xTrue = Float64Array.from({ length: n }, (_, k) =>
    nonnegative && k % 2 === 1 ? 0 : Math.abs(rng.gaussian()) + 0.5,
  );
  const pre = gemm(W, matrix(n, 1, xTrue), matrix(m, 1), bias);
  const next = matrix(m, 1);
  const rowMask = new Uint8Array(m);
  for (let r = 0; r < m; r++) {
    if (pre.data[r] > 0) {
      rowMask[r] = 1;
      next.data[r] = pre.data[r] + noise * rng.gaussian();
    }
  }
  const Wt = transpose(W);
  let lmax = 0;
  const G = gemm(Wt, W, matrix(n, n));
  for (let i = 0; i < n; i++) lmax += G.data[i * n + i]; // trace ≥ λ_max: a safe step bound
  return {
    W,
    Wt,
    bias,
    next,
    rowMask,
    nonnegative,
    lambda: nonnegative ? 0.01 : 0,
    gamma: nonnegative ? 0 : 0.1,
    lambdaMax: lmax,
  };
}

/** quadprog reference for ConstrainedLayerProblem (one signal). */
function quadprogConstrained(p: ConstrainedLayerProblem): number[] {
  const { W, bias, next, rowMask, nonnegative, lambda, gamma } = p;
  const n = W.cols;
  const S = all(W.rows).filter((r) => rowMask[r] === 1);
  const Sc = all(W.rows).filter((r) => rowMask[r] === 0);
  const D = Array.from({ length: n }, (_, i) =>
    Array.from(
      { length: n },
      (_, k) => S.reduce((s, r) => s + W.data[r * n + i] * W.data[r * n + k], 0) + (i === k ? gamma : 0),
    ),
  );
  const d = Array.from(
    { length: n },
    (_, i) => S.reduce((s, r) => s + W.data[r * n + i] * (next.data[r] - bias[r]), 0) - (nonnegative ? lambda : 0),
  );
  const C: number[][] = [];
  const e: number[] = [];
  for (const r of Sc) {
    C.push(Array.from({ length: n }, (_, i) => -W.data[r * n + i]));
    e.push(bias[r]);
  }
  if (nonnegative) {
    for (let i = 0; i < n; i++) {
      C.push(Array.from({ length: n }, (_, k) => (k === i ? 1 : 0)));
      e.push(0);
    }
  }
  return quadprog(D, d, C, e);
}

/**
 * KKT conditions of Eq. 6 / 10 at x: primal feasibility, and stationarity with
 * multipliers η ≥ 0, ν ≥ 0 found (by a nonnegative least squares) only on the
 * active constraints, so complementary slackness holds by construction.
 */
function constrainedKkt(
  p: ConstrainedLayerProblem,
  x: ArrayLike<number>,
  tol: number,
): { primal: number; stationarity: number } {
  const { W, bias, next, rowMask, nonnegative, lambda, gamma } = p;
  const n = W.cols;
  let primal = 0;
  const grad = Array.from({ length: n }, (_, i) => (nonnegative ? lambda : 0) + gamma * x[i]);
  const activeRows: number[] = [];
  for (let r = 0; r < W.rows; r++) {
    let pre = bias[r];
    for (let i = 0; i < n; i++) pre += W.data[r * n + i] * x[i];
    if (rowMask[r]) for (let i = 0; i < n; i++) grad[i] += W.data[r * n + i] * (pre - next.data[r]);
    else {
      primal = Math.max(primal, pre);
      if (pre > -tol) activeRows.push(r);
    }
  }
  if (nonnegative) for (let i = 0; i < n; i++) primal = Math.max(primal, -x[i]);
  // Multipliers: g + Σ η_r w_r − ν = 0 with η ≥ 0 on active rows, ν ≥ 0 on zero coordinates.
  const cols: number[][] = activeRows.map((r) => Array.from({ length: n }, (_, i) => W.data[r * n + i]));
  if (nonnegative)
    for (let i = 0; i < n; i++) if (x[i] <= tol) cols.push(Array.from({ length: n }, (_, k) => (k === i ? -1 : 0)));
  const k = cols.length;
  let mult = new Array(k).fill(0);
  if (k > 0) {
    const D = Array.from({ length: k }, (_, a) =>
      Array.from({ length: k }, (_, b) => cols[a].reduce((s, v, i) => s + v * cols[b][i], 0) + (a === b ? 1e-12 : 0)),
    );
    const d = Array.from({ length: k }, (_, a) => -cols[a].reduce((s, v, i) => s + v * grad[i], 0));
    mult = quadprog(
      D,
      d,
      Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => (a === b ? 1 : 0))),
      new Array(k).fill(0),
    );
  }
  const residual = grad.map((g, i) => g + cols.reduce((s, col, a) => s + mult[a] * col[i], 0));
  return { primal, stationarity: Math.max(...residual.map(Math.abs)) };
}

describe('Eq. 6 and Eq. 10 (inner layers and z of Latent-Pursuit)', () => {
  it.each([
    ['Eq. 6, consistent', true, 0],
    ['Eq. 6, noisy', true, 0.3],
    ['Eq. 10, consistent', false, 0],
    ['Eq. 10, noisy', false, 0.3],
  ] as const)('%s: linearized ADMM meets KKT and matches quadprog', (_name, nonnegative, noise) => {
    const p = constrainedInstance(nonnegative ? 11 : 12, nonnegative, noise);
    const reference = quadprogConstrained(p);
    const x = matrix(p.W.cols, 1);
    const [report] = run(
      // The plain iterations to a tight tolerance: no exact step and no stall rule.
      linearizedAdmm(p, x, {
        phase: 'test',
        exactEvery: 0,
        stall: { window: 0 },
        maxIterations: 200000,
        tolerance: 1e-13,
      }),
    );
    expect(['converged', 'kkt']).toContain(report.stopReason);
    expect(maxDiff(x.data, reference)).toBeLessThan(1e-5);
    const kkt = constrainedKkt(p, x.data, 1e-6);
    expect(kkt.primal).toBeLessThan(1e-6);
    expect(kkt.stationarity).toBeLessThan(1e-5);
  });

  it('a rough signal stops at its budget (rough-start, with the note) without the exact step that ends the others', () => {
    const p = constrainedInstance(11, true, 0);
    const exact = run(linearizedAdmm(p, matrix(p.W.cols, 1), { phase: 'test' }))[0];
    expect(exact).toMatchObject({ stopReason: 'kkt', iterations: 10 });
    const rough = { signals: Uint8Array.of(1), iterations: 15, note: () => 'a start' };
    const [report] = run(linearizedAdmm(p, matrix(p.W.cols, 1), { phase: 'test', rough }));
    expect(report).toMatchObject({ stopReason: 'rough-start', iterations: 15, note: 'a start' });
  });

  it('under noise, the candidate with the active off-support rows held at 0 is the constrained minimiser', () => {
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const nonnegative = seed % 2 === 1;
      const p = constrainedInstance(seed, nonnegative, 0.5);
      let reference: number[];
      try {
        reference = quadprogConstrained(p);
      } catch {
        continue; // fewer supported rows than unknowns: no unique minimiser to compare with
      }
      const n = p.W.cols;
      const pre = (x: ArrayLike<number>, r: number) =>
        Array.from(all(n)).reduce((s, i) => s + p.W.data[r * n + i] * x[i], p.bias[r]);
      // The reference's support and active rows (pre-activation at 0 off the support); instances
      // whose minimiser presses on no inequality are the other test's.
      const support = nonnegative ? all(n).filter((i) => reference[i] > 1e-6) : all(n);
      const active = all(p.W.rows).filter((r) => p.rowMask[r] === 0 && pre(reference, r) > -1e-6);
      if (active.length === 0 || active.length >= support.length) continue;
      checked++;
      // Leaving the inequalities out gives an infeasible point, so that candidate is refused.
      expect(exactConstrainedCandidate(p, 0, support, 1e-9)).toBeUndefined();
      const cand = activeConstraintCandidate(p, 0, support, active, 1e-9);
      expect(cand).toBeDefined();
      // Judged by its own KKT conditions (multipliers found independently), and against quadprog
      // where quadprog's answer meets them too (on some instances its stationarity is off by 1e-2).
      const kkt = constrainedKkt(p, cand!, 1e-9);
      expect(kkt.primal).toBeLessThan(1e-9);
      expect(kkt.stationarity).toBeLessThan(1e-9);
      const referenceMeetsKkt = (() => {
        try {
          return constrainedKkt(p, reference, 1e-9).stationarity < 1e-9;
        } catch {
          return false; // its active constraints are dependent: quadprog's multiplier fit refuses them
        }
      })();
      if (referenceMeetsKkt) expect(maxDiff(cand!, reference)).toBeLessThan(1e-8);
      // A guess with an active row left out is mended by the active-set rounds.
      const mended = activeConstraintCandidate(p, 0, support, active.slice(1), 1e-9);
      expect(mended).toBeDefined();
      expect(maxDiff(mended!, cand!)).toBeLessThan(1e-9);
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('under noise, a guess many indices away (every column, no active row) is mended to the constrained minimiser', () => {
    // One index per round would need more rounds than the single-index budget (8) allows; the bulk
    // (primal–dual) rounds move every violated index at once.
    let checked = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const p = constrainedInstance(seed, true, 0.5, 120, 40);
      const reference = quadprogConstrained(p);
      const n = p.W.cols;
      const pre = (x: ArrayLike<number>, r: number) =>
        Array.from(all(n)).reduce((s, i) => s + p.W.data[r * n + i] * x[i], p.bias[r]);
      const zeros = all(n).filter((i) => reference[i] <= 1e-6).length;
      const active = all(p.W.rows).filter((r) => p.rowMask[r] === 0 && pre(reference, r) > -1e-6).length;
      if (zeros + active <= 8) continue;
      checked++;
      const cand = activeConstraintCandidate(p, 0, all(n), new Int32Array(0), 1e-9);
      expect(cand).toBeDefined();
      const kkt = constrainedKkt(p, cand!, 1e-9);
      expect(kkt.primal).toBeLessThan(1e-9);
      expect(kkt.stationarity).toBeLessThan(1e-9);
      expect(maxDiff(cand!, reference)).toBeLessThan(1e-6);
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('the exact candidate is accepted exactly when it solves the constrained problem', () => {
    const consistent = constrainedInstance(11, true, 0);
    const cand = exactConstrainedCandidate(consistent, 0, all(consistent.W.cols), 1e-9);
    expect(cand).toBeDefined();
    expect(maxDiff(cand!, quadprogConstrained(consistent))).toBeLessThan(1e-9);
    const z = constrainedInstance(12, false, 0);
    expect(maxDiff(exactConstrainedCandidate(z, 0, all(z.W.cols), 1e-9)!, quadprogConstrained(z))).toBeLessThan(1e-9);
  });
});

describe('honest failure on rank-deficient systems', () => {
  it('least squares with fewer equations than unknowns reports no solution instead of an arbitrary one', () => {
    let solved = 0;
    for (let seed = 0; seed < 100; seed++) {
      const A = randomMatrix(100 + seed, 19, 20);
      const c = createRng(200 + seed).fillGaussian(new Float64Array(19));
      if (leastSquaresOnSupport(A, transpose(A), all(19), all(20), c).x !== undefined) solved++;
    }
    expect(solved).toBe(0);
  });

  it('FISTA does not stop at x = 0 when momentum overshoots to it from a far start', () => {
    // f = ½(x − 0.5)², x ≥ 0, from x0 = 10 with a loose Lipschitz bound: the answer is 0.5.
    const W = matrix(1, 1, Float64Array.of(1));
    const problem: FistaProblem = {
      W,
      Wt: W,
      smooth: maskedLeastSquares(matrix(1, 1, Float64Array.of(0.5)), undefined),
      prox: 'nonneg-l1',
      lambda: Float64Array.of(0),
      lipschitz: 10,
    };
    const x = matrix(1, 1, Float64Array.of(10));
    const [report] = run(fista(problem, x, { phase: 'test', exactEvery: 0 }));
    expect(report.stopReason).toBe('converged');
    expect(x.data[0]).toBeCloseTo(0.5, 10);
  });
});
