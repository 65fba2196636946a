import { choleskyInPlace, choleskySolveInPlace } from '../linalg/cholesky';
import { transpose } from '../linalg/dense';
import { matrix, type Matrix } from '../linalg/matrix';
import { activationSecondDerivative } from '../model/activations';
import type { InversionContext } from './context';
import { frozenAffineMap } from './affine';
import { leastSquaresOnSupport, weightedGram } from './leastSquares';
import { linearisedStart, measuredGaussNewton } from './measuredGaussNewton';
import { phiResidual, solveWithInequalities } from './saturation';
import { emptyHistory, onePoint, recordHistory, type PhaseReport } from './types';

export interface DebiasOptions {
  /** Gauss–Newton iterations at most (not used for identity φ). @default 50 */
  readonly maxIterations?: number;
  /** Stop when the step is ≤ tol · ‖z‖. @default 1e-13 */
  readonly tolerance?: number;
  /**
   * Under a measurement matrix (ctx.measure): where Gauss–Newton starts, the
   * method's own ẑ; without it, the least squares of φ's linearisation at 0.
   * Unused otherwise (the start is the least squares on φ⁻¹(y)).
   */
  readonly start?: Float64Array;
}

/**
 * Debiasing (ALGORITHMS.md §4.4): with the hidden supports frozen, the
 * output is φ(P z + q), so z = argmin ½‖M(y − φ(P z + q))‖² is a small
 * problem in n₀ unknowns. Solved exactly by least squares on φ⁻¹(y) (the
 * answer for identity φ, and the start otherwise), then Gauss–Newton with a
 * halving line search for the φ-domain objective. A saturated pixel is a
 * one-sided bound in both (saturation.ts): in the least squares, a row at
 * its threshold only while violated; in the φ domain, its distance to its
 * interval.
 *
 * @param j the signal (its known pixels and their saturation come from `ctx`).
 */
export function debiasSignal(
  ctx: InversionContext,
  j: number,
  supports: readonly Int32Array[],
  options: DebiasOptions = {},
): { z: Float64Array | undefined; report: PhaseReport } {
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-13;
  if (ctx.measure !== undefined) return debiasMeasured(ctx, j, supports, options.start, maxIterations, tolerance);
  const { layers, phi, saturation: sat } = ctx;
  const output = ctx.gen.output;
  const y = ctx.signal(j);
  const rows = ctx.knownRows(j);
  const side = Int8Array.from(rows, (r) => sat.side[r * ctx.count + j]);
  const n0 = layers[0].W.cols;
  const history = emptyHistory();
  const { P, q } = frozenAffineMap(layers, supports, rows);
  const Pt = transpose(P);
  const unknowns = Int32Array.from({ length: n0 }, (_, k) => k);
  // Rows of P (positions in `rows`): equations, and saturated pixels with their thresholds as targets.
  const equations: number[] = [];
  const inequalities: number[] = [];
  const c = new Float64Array(rows.length);
  side.forEach((s, k) => {
    if (s === 0) {
      equations.push(k);
      c[k] = phi.inverse(y[rows[k]]) - q[k];
    } else {
      inequalities.push(k);
      c[k] = (s > 0 ? sat.above : sat.below) - q[k];
    }
  });
  const preAt = (zz: Float64Array, k: number) => {
    let s = q[k];
    for (let i = 0; i < n0; i++) s += P.data[k * n0 + i] * zz[i];
    return s;
  };
  const start = solveWithInequalities(
    Int32Array.from(equations),
    Int32Array.from(inequalities),
    (sel) => leastSquaresOnSupport(P, Pt, sel, unknowns, c).x,
    (zz, k) => (side[k] > 0 ? sat.above - preAt(zz, k) : preAt(zz, k) - sat.below),
    1e-12 * Math.max(1, Math.abs(sat.above), Math.abs(sat.below)),
  );
  if (start === undefined) {
    const saturated = inequalities.length;
    return {
      z: undefined,
      report: {
        phase: 'debias',
        iterations: 0,
        stopReason: 'failed',
        ...history,
        note:
          `the frozen supports leave fewer than n0 = ${n0} independent equations (P is rank deficient)` +
          (saturated > 0 ? `; ${saturated} saturated pixels are only inequalities` : ''),
      },
    };
  }
  let z = start.x;
  const pre = new Float64Array(rows.length);
  // No penalty here: the objective is the misfit ½‖M(y − φ(P z + q))‖².
  const misfit = (zz: Float64Array): number => {
    let f = 0;
    for (let k = 0; k < rows.length; k++) {
      let s = q[k];
      for (let i = 0; i < n0; i++) s += P.data[k * n0 + i] * zz[i];
      pre[k] = s;
      const r = phiResidual(sat, phi.forward(s), y[rows[k]], side[k]);
      f += 0.5 * r * r;
    }
    return f;
  };
  let f = misfit(z);
  if (output.kind === 'identity')
    return { z, report: { phase: 'debias', iterations: 1, stopReason: 'exact', ...onePoint(f, f) } };
  recordHistory(history, 0, f, f);
  // Noiseless data: the φ⁻¹-domain solution already fits to rounding level, nothing to refine.
  let yNorm = 0;
  for (const r of rows) yNorm += y[r] * y[r];
  if (f <= 1e-26 * Math.max(yNorm, Number.MIN_VALUE))
    return { z, report: { phase: 'debias', iterations: 1, stopReason: 'exact', ...history } };
  const second = activationSecondDerivative(output, phi);
  const gnWeight = new Float64Array(rows.length);
  const newtonWeight = new Float64Array(rows.length);
  const hessian = matrix(n0, n0);
  // Every row of P (it holds the known pixels only), and the product's buffers, kept across steps.
  const all = Int32Array.from({ length: rows.length }, (_, k) => k);
  const scratch = { Q: matrix(rows.length, n0), Qt: matrix(n0, rows.length) };
  const grad = new Float64Array(n0);
  const along = new Float64Array(rows.length);
  // `pre` holds P z + q at the current z: misfit(z) set it above, and an accepted step's misfit below.
  for (let it = 1; it <= maxIterations; it++) {
    // Newton on the n₀ unknowns: ∇ = Σ_k φ′ r P_k and ∇² = Σ_k (φ′² + r φ″) P_kᵀP_k (r = φ(p) − y,
    // or a saturated pixel's distance to its interval). Gauss–Newton keeps only φ′² and converges
    // linearly when the residual is large (noise): 20–40 steps to the tolerance where Newton takes a few.
    grad.fill(0);
    let curved = false;
    for (let k = 0; k < rows.length; k++) {
      const d = phi.derivative(pre[k]);
      const r = phiResidual(sat, phi.forward(pre[k]), y[rows[k]], side[k]);
      // A saturated pixel inside its interval has a flat residual: nothing to fit there.
      if (side[k] !== 0 && r === 0) {
        gnWeight[k] = 0;
        newtonWeight[k] = 0;
        continue;
      }
      const row = k * n0;
      for (let a = 0; a < n0; a++) grad[a] += d * r * P.data[row + a];
      gnWeight[k] = d * d;
      // Zero for piecewise-linear φ (plu, leaky_relu): then Newton is Gauss–Newton.
      newtonWeight[k] = d * d + r * second(pre[k]);
      if (newtonWeight[k] !== gnWeight[k]) curved = true;
    }
    // Where the curvature makes ∇² indefinite (far from the minimiser), the Gauss–Newton matrix.
    weightedGram(P, all, unknowns, curved ? newtonWeight : gnWeight, hessian.data, scratch);
    if (!choleskyInPlace(hessian.data, n0)) {
      if (curved) weightedGram(P, all, unknowns, gnWeight, hessian.data, scratch);
      if (!curved || !choleskyInPlace(hessian.data, n0)) {
        return {
          z,
          report: {
            phase: 'debias',
            iterations: it,
            stopReason: 'failed',
            ...history,
            note: 'singular Gauss–Newton system',
          },
        };
      }
    }
    const step = choleskySolveInPlace(
      hessian.data,
      n0,
      Float64Array.from(grad, (g) => -g),
    );
    // The line search moves along the pre-activations (P z + q) + α P s: O(rows) per trial point,
    // not O(rows · n₀); the accepted point's misfit is then recomputed from z itself.
    for (let k = 0; k < rows.length; k++) {
      let s = 0;
      for (let i = 0; i < n0; i++) s += P.data[k * n0 + i] * step[i];
      along[k] = s;
    }
    const misfitAlong = (alpha: number): number => {
      let fa = 0;
      for (let k = 0; k < rows.length; k++) {
        const r = phiResidual(sat, phi.forward(pre[k] + alpha * along[k]), y[rows[k]], side[k]);
        fa += 0.5 * r * r;
      }
      return fa;
    };
    let alpha = 1;
    while (misfitAlong(alpha) > f && alpha > 1e-10) alpha /= 2;
    const trial = z.map((v, i) => v + alpha * step[i]);
    const fTrial = misfit(trial);
    let stepNorm = 0;
    let zNorm = 0;
    for (let i = 0; i < n0; i++) {
      stepNorm += (alpha * step[i]) ** 2;
      zNorm += trial[i] ** 2;
    }
    const improved = fTrial <= f;
    if (improved) {
      z = trial;
      f = fTrial;
    }
    recordHistory(history, it, f, f);
    if (!improved || Math.sqrt(stepNorm) <= tolerance * Math.sqrt(zNorm)) {
      return { z, report: { phase: 'debias', iterations: it, stopReason: 'converged', ...history } };
    }
  }
  return { z, report: { phase: 'debias', iterations: maxIterations, stopReason: 'max-iterations', ...history } };
}

/**
 * Debiasing under y = A φ(P z + q) + e (a non-identity φ; an identity one is
 * folded into the generator): no φ⁻¹(y) exists, so Gauss–Newton through A
 * (measuredGaussNewton.ts) from `start`, or from the linearised least squares.
 * Fails, with a note, when A·diag(φ′)·P is rank deficient (fewer measurements
 * than n₀, or frozen supports that leave z undetermined).
 */
function debiasMeasured(
  ctx: InversionContext,
  j: number,
  supports: readonly Int32Array[],
  start: Float64Array | undefined,
  maxIterations: number,
  tolerance: number,
): { z: Float64Array | undefined; report: PhaseReport } {
  const { P, q } = frozenAffineMap(ctx.layers, supports, ctx.knownRows(j));
  const problem = { measure: ctx.measure!, phi: ctx.phi, M: P, q, y: ctx.signal(j) };
  const phase = 'debias (Gauss–Newton through A)';
  const from = start ?? linearisedStart(problem);
  const singular = `A·diag(φ′)·P is rank deficient (m = ${ctx.measure!.A.rows} measurements, n0 = ${P.cols} unknowns)`;
  if (from === undefined)
    return { z: undefined, report: { phase, iterations: 0, stopReason: 'failed', ...emptyHistory(), note: singular } };
  const gn = measuredGaussNewton(problem, from, { maxIterations, tolerance });
  return {
    z: gn.stopReason === 'failed' && gn.iterations <= 1 ? undefined : gn.v,
    report: {
      phase,
      iterations: gn.iterations,
      stopReason: gn.stopReason,
      ...gn.history,
      ...(gn.stopReason === 'failed' ? { note: singular } : {}),
    },
  };
}

/**
 * Debiases every signal of a batch in place: for signal j, the supports from
 * `supportsOf(j)` (undefined skips it), the result written into column j of
 * `z` and the report appended to `phases[j]`. Yields its progress in [0, 1]
 * every 8 signals. With `fromCurrent`, a measured problem's Gauss–Newton
 * starts from column j of `z` (the method's estimate).
 */
export function* debiasBatch(
  ctx: InversionContext,
  supportsOf: (j: number) => Int32Array[] | undefined,
  z: Matrix,
  phases: PhaseReport[][],
  fromCurrent = false,
): Generator<number, void, void> {
  const n0 = z.rows;
  for (let j = 0; j < ctx.count; j++) {
    const supports = supportsOf(j);
    if (supports !== undefined) {
      const start = fromCurrent ? Float64Array.from({ length: n0 }, (_, k) => z.data[k * ctx.count + j]) : undefined;
      const { z: zj, report } = debiasSignal(ctx, j, supports, start !== undefined ? { start } : {});
      phases[j].push(report);
      if (zj !== undefined) for (let k = 0; k < n0; k++) z.data[k * ctx.count + j] = zj[k];
    }
    if (j % 8 === 7) yield (j + 1) / ctx.count;
  }
}
