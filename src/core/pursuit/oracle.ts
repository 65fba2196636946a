import { matrix, type Matrix } from '../linalg/matrix';
import { assembleResult, dataMisfit, outputSystem, type InversionContext, type OutputSystem } from './context';
import { debiasBatch } from './debias';
import { leastSquaresOnSupport, leastSquaresOnSupports } from './leastSquares';
import type { PreparedLayer } from './prepared';
import { solveWithInequalities } from './saturation';
import { emptyHistory, onePoint, type InversionResult, type PhaseReport } from './types';

const PHASE = 'oracle (least squares per layer)';
/** Signals whose last layers are solved together (their Gram factors are held until the refinement). */
const BATCH = 32;

/** Exact supports of the true hidden layers (ReLU outputs exact zeros): S_i = {k : x_i[k] > 0} per signal. */
export function trueSupports(hidden: readonly Matrix[], j: number): Int32Array[] {
  return hidden.map((x) => {
    const s: number[] = [];
    for (let i = 0; i < x.rows; i++) if (x.data[i * x.cols + j] > 0) s.push(i);
    return Int32Array.from(s);
  });
}

/**
 * Layer-wise Oracle (Alg. 4): the true supports are known, so every layer is
 * one least-squares solve, from the output inwards:
 * x̂_L = argmin ‖φ⁻¹(y) − b_L − W_L[:, S_L] x‖ (known pixels; a saturated pixel
 * is a one-sided bound on its pre-activation, active only where violated), then
 * x̂_i = argmin ‖x̂_{i+1}^{S_{i+1}} − b_i^{S_{i+1}} − W_i[S_{i+1}, S_i] x‖, and z likewise.
 * A generator for uniformity with the iterative methods (yields per signal).
 */
export function* layerwiseOracle(
  ctx: InversionContext,
  trueHidden: readonly Matrix[],
): Generator<number, InversionResult, void> {
  const { layers, count } = ctx;
  const L = layers.length - 1;
  const n0 = layers[0].W.cols;
  const z = matrix(n0, count);
  const est = layers.slice(0, L).map((l) => matrix(l.W.rows, count));
  const failures: (string | undefined)[] = [];
  const out = layers[L];
  /** Signal j from its last layer inwards; the last layer's solution is given where it was batched. */
  function solveSignal(
    j: number,
    supports: Int32Array[],
    system: OutputSystem,
    given: Float64Array | undefined | 'failed',
  ): string | undefined {
    const sL = supports[L - 1];
    let x = given instanceof Float64Array ? given : undefined;
    if (given === undefined)
      x = solveWithInequalities(
        system.equations,
        system.inequalities,
        (rows) => leastSquaresOnSupport(out.W, out.Wt, rows, sL, system.target, { gram: out.gram }).x,
        (xL, r) => {
          let p = out.b[r];
          for (let q = 0; q < sL.length; q++) p += out.W.data[r * out.W.cols + sL[q]] * xL[q];
          return system.gap(r, p);
        },
        system.slack,
      )?.x;
    let failed: string | undefined;
    if (x === undefined) {
      const saturated = system.inequalities.length;
      failed =
        `layer ${L}: W_${L}[${saturated > 0 ? 'unsaturated known pixels' : 'known'}, S_${L}] is rank deficient` +
        (saturated > 0 ? ` (${saturated} saturated pixels are only inequalities)` : '');
    }
    let prev = x;
    for (let i = L - 1; i >= 0 && prev !== undefined; i--) {
      const { W, Wt, b } = layers[i];
      const rows = supports[i];
      const xNext = est[i];
      for (let q = 0; q < rows.length; q++) xNext.data[rows[q] * count + j] = prev[q];
      const c = new Float64Array(W.rows);
      for (const r of rows) c[r] = xNext.data[r * count + j] - b[r];
      const cols = i === 0 ? Int32Array.from({ length: n0 }, (_, k) => k) : supports[i - 1];
      x = leastSquaresOnSupport(W, Wt, rows, cols, c).x;
      if (x === undefined) failed = `${i === 0 ? 'z' : `layer ${i}`}: W_${i}[S_${i + 1}, ·] is rank deficient`;
      prev = x;
    }
    if (prev !== undefined) for (let k = 0; k < n0; k++) z.data[k * count + j] = prev[k];
    return failed;
  }
  for (let first = 0; first < count; first += BATCH) {
    const group = Array.from({ length: Math.min(BATCH, count - first) }, (_, q) => first + q);
    const supportsOf = group.map((j) => trueSupports(trueHidden, j));
    const systems = group.map((j) => outputSystem(ctx, j));
    const batched = lastLayerBatch(
      out,
      systems,
      supportsOf.map((s) => s[L - 1]),
    );
    for (let q = 0; q < group.length; q++) {
      const j = group[q];
      failures.push(solveSignal(j, supportsOf[q], systems[q], batched.get(q)));
      yield (j + 1) / count;
    }
  }

  // One point per solved signal: the misfit ½‖M(y − G(ẑ))‖² the least squares leave (no penalty, so also the objective).
  const misfit = dataMisfit(ctx, z);
  const phases: PhaseReport[][] = failures.map((failed, j) => [
    failed === undefined
      ? { phase: PHASE, iterations: 1, stopReason: 'exact', ...onePoint(misfit[j], misfit[j]) }
      : { phase: PHASE, iterations: 1, stopReason: 'failed', ...emptyHistory(), note: failed },
  ]);
  return assembleResult(ctx, 'oracle', z, est, phases, 0, misfit);
}

/**
 * The last layer of the signals whose every pixel is an equation (all known,
 * none saturated: the usual clean or noisy image) as one batch of least
 * squares (leastSquaresOnSupports); by position in `systems`, the solution or
 * 'failed' (a rank-deficient block). The others are left to the per-signal
 * solve with its inequalities.
 */
function lastLayerBatch(
  out: PreparedLayer,
  systems: readonly OutputSystem[],
  supports: readonly Int32Array[],
): Map<number, Float64Array | 'failed'> {
  const m = out.W.rows;
  const plain = systems.flatMap((s, q) => (s.inequalities.length === 0 && s.equations.length === m ? [q] : []));
  const solved = new Map<number, Float64Array | 'failed'>();
  if (plain.length === 0) return solved;
  const k = plain.length;
  const c = matrix(m, k);
  plain.forEach((q, col) => {
    const target = systems[q].target;
    for (let r = 0; r < m; r++) c.data[r * k + col] = target[r];
  });
  const xs = leastSquaresOnSupports(
    out.W,
    out.Wt,
    out.gram,
    plain.map((q) => supports[q]),
    c,
  );
  plain.forEach((q, col) => solved.set(q, xs[col] ?? 'failed'));
  return solved;
}

/** End-to-end Oracle: the debiasing step run on the true supports. */
export function* endToEndOracle(
  ctx: InversionContext,
  trueHidden: readonly Matrix[],
): Generator<number, InversionResult, void> {
  const z = matrix(ctx.layers[0].W.cols, ctx.count);
  const phases: PhaseReport[][] = Array.from({ length: ctx.count }, () => []);
  yield* debiasBatch(ctx, (j) => trueSupports(trueHidden, j), z, phases);
  return assembleResult(ctx, 'oracle-e2e', z, [], phases, 0);
}
