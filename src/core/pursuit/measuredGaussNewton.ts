import { transpose } from '../linalg/dense';
import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import type { ActivationFunctions } from '../model/activations';
import type { Measurement } from './context';
import { leastSquaresOnSupport } from './leastSquares';
import { emptyHistory, recordHistory, type PhaseHistory, type PhaseStop } from './types';

export interface MeasuredProblem {
  readonly measure: Measurement;
  readonly phi: ActivationFunctions;
  /** The output pre-activation as an affine map of the unknowns: p = M v + q (M n × k, q length n). */
  readonly M: Matrix;
  readonly q: Float64Array;
  /** One signal's m measurements. */
  readonly y: Float64Array;
  /** A linear term ℓᵀv (λ·1 for the last layer's nonnegative lasso on its support). */
  readonly linear?: Float64Array;
}

export interface MeasuredGaussNewton {
  readonly v: Float64Array;
  /** ½‖y − A φ(M v + q)‖² + ℓᵀv at v. */
  readonly objective: number;
  readonly iterations: number;
  /** `converged`: the step fell below the tolerance or no longer lowered the objective; `failed`: a singular system. */
  readonly stopReason: Extract<PhaseStop, 'converged' | 'max-iterations' | 'failed'>;
  /** The objective and its misfit part ½‖y − A φ(M v + q)‖² per iteration. */
  readonly history: PhaseHistory;
}

/**
 * Gauss–Newton with a halving line search for
 * min_v ½‖y − A φ(M v + q)‖² + ℓᵀv, the φ-domain problem on frozen supports
 * under a measurement matrix (φ cannot be inverted entry-wise there: an
 * entry of y mixes every pixel). Each step solves the linearisation
 * min_δ ½‖r + J δ‖² + ℓᵀδ with J = A diag(φ′(p)) M by least squares.
 * Stopping rule: the accepted step ≤ tolerance·‖v‖, or no step of the line
 * search lowers the objective (`converged`); else `maxIterations`.
 */
export function measuredGaussNewton(
  problem: MeasuredProblem,
  start: Float64Array,
  options: { readonly maxIterations?: number; readonly tolerance?: number } = {},
): MeasuredGaussNewton {
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-13;
  const { measure, phi, M, q, y, linear } = problem;
  const { A } = measure;
  const n = M.rows;
  const k = M.cols;
  const m = A.rows;
  const pre = new Float64Array(n);
  const g = matrix(n, 1);
  const r = matrix(m, 1);
  /** The misfit part of the last evaluate's objective. */
  let misfit = 0;
  const evaluate = (v: Float64Array): number => {
    for (let i = 0; i < n; i++) {
      let s = q[i];
      for (let c = 0; c < k; c++) s += M.data[i * k + c] * v[c];
      pre[i] = s;
      g.data[i] = phi.forward(s);
    }
    gemm(A, g, r);
    let f = 0;
    for (let i = 0; i < m; i++) {
      r.data[i] -= y[i];
      f += 0.5 * r.data[i] * r.data[i];
    }
    misfit = f;
    if (linear !== undefined) for (let c = 0; c < k; c++) f += linear[c] * v[c];
    return f;
  };
  const rowsAll = Int32Array.from({ length: m }, (_, i) => i);
  const colsAll = Int32Array.from({ length: k }, (_, c) => c);
  const history = emptyHistory();
  let v = Float64Array.from(start);
  let f = evaluate(v);
  recordHistory(history, 0, f, misfit);
  const DM = matrix(n, k);
  for (let it = 1; it <= maxIterations; it++) {
    evaluate(v); // pre and r at v
    for (let i = 0; i < n; i++) {
      const d = phi.derivative(pre[i]);
      for (let c = 0; c < k; c++) DM.data[i * k + c] = d * M.data[i * k + c];
    }
    const J = gemm(A, DM, matrix(m, k));
    const minusR = Float64Array.from(r.data, (x) => -x);
    const step = leastSquaresOnSupport(J, transpose(J), rowsAll, colsAll, minusR, linear ? { linear } : {}).x;
    if (step === undefined) return { v, objective: f, iterations: it, stopReason: 'failed', history };
    let alpha = 1;
    let trial = v.map((x, c) => x + step[c]);
    let fTrial = evaluate(trial);
    while (!(fTrial <= f) && alpha > 1e-10) {
      alpha /= 2;
      trial = v.map((x, c) => x + alpha * step[c]);
      fTrial = evaluate(trial);
    }
    if (!(fTrial <= f)) return { v, objective: f, iterations: it, stopReason: 'converged', history };
    let stepNorm = 0;
    let vNorm = 0;
    for (let c = 0; c < k; c++) {
      stepNorm += (trial[c] - v[c]) ** 2;
      vNorm += trial[c] ** 2;
    }
    v = trial;
    const before = f;
    f = fTrial;
    // The line search's last evaluation was the accepted trial: `misfit` is its misfit part.
    recordHistory(history, it, f, misfit);
    if (Math.sqrt(stepNorm) <= tolerance * Math.sqrt(vNorm) || f === before)
      return { v, objective: f, iterations: it, stopReason: 'converged', history };
  }
  return { v, objective: f, iterations: maxIterations, stopReason: 'max-iterations', history };
}

/**
 * A start for measuredGaussNewton when there is no estimate (the end-to-end
 * oracle): the least squares of φ's linearisation at 0,
 * A(φ(0) + φ′(0)(M v + q)) = y, exact for an affine φ and a fair guess for
 * tanh or sigmoid at moderate pre-activations. Undefined when singular.
 */
export function linearisedStart(problem: MeasuredProblem): Float64Array | undefined {
  const { measure, phi, M, q, y } = problem;
  const { A } = measure;
  const d0 = phi.derivative(0);
  const f0 = phi.forward(0);
  const J = gemm(A, M, matrix(A.rows, M.cols));
  for (let p = 0; p < J.data.length; p++) J.data[p] *= d0;
  const offset = gemm(
    A,
    matrix(
      q.length,
      1,
      Float64Array.from(q, (x) => f0 + d0 * x),
    ),
    matrix(A.rows, 1),
  ).data;
  const c = Float64Array.from(y, (v, i) => v - offset[i]);
  return leastSquaresOnSupport(
    J,
    transpose(J),
    Int32Array.from({ length: A.rows }, (_, i) => i),
    Int32Array.from({ length: M.cols }, (_, i) => i),
    c,
  ).x;
}
