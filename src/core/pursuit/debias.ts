import { transpose } from '../linalg/dense';
import type { Matrix } from '../linalg/matrix';
import type { InversionContext } from './context';
import type { ActivationFunctions, OutputActivation } from '../model/activations';
import { frozenAffineMap } from './affine';
import { leastSquaresOnSupport } from './leastSquares';
import type { PreparedLayer } from './prepared';
import { clampedInverse } from './targets';
import { recordHistory, type PhaseReport } from './types';

export interface DebiasOptions {
  /** Gauss–Newton iterations at most (not used for identity φ). @default 50 */
  readonly maxIterations?: number;
  /** Stop when the step is ≤ tol · ‖z‖. @default 1e-13 */
  readonly tolerance?: number;
}

/**
 * Debiasing (ALGORITHMS.md §4.4): with the hidden supports frozen, the
 * output is φ(P z + q), so z = argmin ½‖M(y − φ(P z + q))‖² is a small
 * problem in n₀ unknowns. Solved exactly by least squares on φ⁻¹(y) (the
 * answer for identity φ, and the start otherwise), then Gauss–Newton with a
 * halving line search for the φ-domain objective.
 *
 * @param y one observed signal (length n); `rows` are its known pixels.
 */
export function debiasSignal(
  layers: readonly PreparedLayer[],
  output: OutputActivation,
  phi: ActivationFunctions,
  y: Float64Array,
  rows: Int32Array,
  supports: readonly Int32Array[],
  options: DebiasOptions = {},
): { z: Float64Array | undefined; report: PhaseReport } {
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-13;
  const n0 = layers[0].W.cols;
  const history: number[] = [];
  const { P, q } = frozenAffineMap(layers, supports, rows);
  const Pt = transpose(P);
  const all = Int32Array.from({ length: rows.length }, (_, k) => k);
  const unknowns = Int32Array.from({ length: n0 }, (_, k) => k);
  const inverse = clampedInverse(output, phi);
  const c = Float64Array.from(rows, (r, k) => inverse(y[r]) - q[k]);
  const start = leastSquaresOnSupport(P, Pt, all, unknowns, c);
  if (start.x === undefined) {
    return {
      z: undefined,
      report: {
        phase: 'debias',
        iterations: 0,
        stopReason: 'failed',
        history,
        note: `the frozen supports leave fewer than n0 = ${n0} independent equations (P is rank deficient)`,
      },
    };
  }
  let z = start.x;
  if (output.kind === 'identity')
    return { z, report: { phase: 'debias', iterations: 1, stopReason: 'exact', history } };

  const pre = new Float64Array(rows.length);
  const misfit = (zz: Float64Array): number => {
    let f = 0;
    for (let k = 0; k < rows.length; k++) {
      let s = q[k];
      for (let i = 0; i < n0; i++) s += P.data[k * n0 + i] * zz[i];
      pre[k] = s;
      const r = y[rows[k]] - phi.forward(s);
      f += 0.5 * r * r;
    }
    return f;
  };
  let f = misfit(z);
  recordHistory(history, 0, f);
  // Noiseless data: the φ⁻¹-domain solution already fits to rounding level, nothing to refine.
  let yNorm = 0;
  for (const r of rows) yNorm += y[r] * y[r];
  if (f <= 1e-26 * Math.max(yNorm, Number.MIN_VALUE))
    return { z, report: { phase: 'debias', iterations: 1, stopReason: 'exact', history } };
  const weights = new Float64Array(rows.length);
  const target = new Float64Array(rows.length);
  for (let it = 1; it <= maxIterations; it++) {
    misfit(z); // refresh pre at z
    for (let k = 0; k < rows.length; k++) {
      const d = phi.derivative(pre[k]);
      weights[k] = d * d;
      target[k] = d > 1e-300 ? (y[rows[k]] - phi.forward(pre[k])) / d : 0;
    }
    const step = leastSquaresOnSupport(P, Pt, all, unknowns, target, { weights });
    if (step.x === undefined) {
      return {
        z,
        report: {
          phase: 'debias',
          iterations: it,
          stopReason: 'failed',
          history,
          note: 'singular Gauss–Newton system',
        },
      };
    }
    let alpha = 1;
    let trial = z.map((v, i) => v + step.x![i]);
    let fTrial = misfit(trial);
    while (fTrial > f && alpha > 1e-10) {
      alpha /= 2;
      trial = z.map((v, i) => v + alpha * step.x![i]);
      fTrial = misfit(trial);
    }
    let stepNorm = 0;
    let zNorm = 0;
    for (let i = 0; i < n0; i++) {
      stepNorm += (alpha * step.x[i]) ** 2;
      zNorm += trial[i] ** 2;
    }
    const improved = fTrial <= f;
    if (improved) {
      z = trial;
      f = fTrial;
    }
    recordHistory(history, it, f);
    if (!improved || Math.sqrt(stepNorm) <= tolerance * Math.sqrt(zNorm)) {
      return { z, report: { phase: 'debias', iterations: it, stopReason: 'converged', history } };
    }
  }
  return { z, report: { phase: 'debias', iterations: maxIterations, stopReason: 'max-iterations', history } };
}

/**
 * Debiases every signal of a batch in place: for signal j, the supports from
 * `supportsOf(j)` (undefined skips it), the result written into column j of
 * `z` and the report appended to `phases[j]`. Yields its progress in [0, 1]
 * every 8 signals.
 */
export function* debiasBatch(
  ctx: InversionContext,
  supportsOf: (j: number) => Int32Array[] | undefined,
  z: Matrix,
  phases: PhaseReport[][],
): Generator<number, void, void> {
  const n0 = z.rows;
  for (let j = 0; j < ctx.count; j++) {
    const supports = supportsOf(j);
    if (supports !== undefined) {
      const { z: zj, report } = debiasSignal(
        ctx.layers,
        ctx.gen.output,
        ctx.phi,
        ctx.signal(j),
        ctx.knownRows(j),
        supports,
      );
      phases[j].push(report);
      if (zj !== undefined) for (let k = 0; k < n0; k++) z.data[k * ctx.count + j] = zj[k];
    }
    if (j % 8 === 7) yield (j + 1) / ctx.count;
  }
}
