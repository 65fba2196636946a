import { matrix, type Matrix } from '../linalg/matrix';
import { forward } from '../model/forward';
import { signalMisfit, type InversionContext } from './context';
import { debiasSignal } from './debias';
import { trueSupports } from './oracle';
import { sameSupport } from './support';
import { emptyHistory, recordHistory, type PhaseReport } from './types';

export interface RefineOptions {
  /** Rounds at most (each: one forward pass and one debiasing). @default 20 */
  readonly maxRounds?: number;
}

/**
 * Support refinement, after debiasing. The debiased ẑ is only as good as the
 * supports it was debiased on, and under noise a layer-by-layer pursuit reads
 * some of them wrong (a unit that is off taken as on, or the reverse); the
 * affine model P z + q of a wrong support pattern is not the generator, so ẑ
 * can be far from the best fit. Each round reads the supports of G(ẑ) itself
 * (ReLU gives exact zeros), debiases again on them, and keeps the new ẑ only
 * if the true misfit ½‖M(y − G(ẑ))‖² (or ½‖y − A·G(ẑ)‖²) falls (saturated pixels: the distance to their interval) — Gauss–Newton on the
 * generator's own linear pieces, started from the method's answer, so the
 * result never fits worse than the method's.
 *
 * Stops at a fixed point (G(ẑ) has the supports ẑ was debiased on; stop
 * `exact` when no round was needed), when a round does not lower the misfit
 * (`converged`), or after `maxRounds` (`max-iterations`). On a noiseless
 * signal that the method recovered, the supports already agree and nothing
 * changes.
 *
 * @param used the supports each signal was debiased on; undefined skips the
 *   signal (its method failed, and a start from nothing is not a refinement).
 */
export function* refineSupportsBatch(
  ctx: InversionContext,
  z: Matrix,
  phases: PhaseReport[][],
  used: (j: number) => Int32Array[] | undefined,
  options: RefineOptions = {},
): Generator<number, void, void> {
  const maxRounds = options.maxRounds ?? 20;
  const n0 = z.rows;
  // G(ẑ) of every signal in one batched pass (the product kernel gives each column the same bits
  // as a one-column pass); later rounds, rare, evaluate their own signal alone.
  const batch = forward(ctx.gen, z);
  const n = batch.output.rows;
  for (let j = 0; j < ctx.count; j++) {
    let basis = used(j);
    let zj: Float64Array = Float64Array.from({ length: n0 }, (_, i) => z.data[i * ctx.count + j]);
    if (basis === undefined || zj.some((v) => !Number.isFinite(v))) continue;
    const evaluate = (v: Float64Array) => {
      const pass = forward(ctx.gen, matrix(n0, 1, v));
      return { f: signalMisfit(ctx, j, pass.output.data), supports: trueSupports(pass.hidden, 0) };
    };
    const first = Float64Array.from({ length: n }, (_, i) => batch.output.data[i * ctx.count + j]);
    let current = { f: signalMisfit(ctx, j, first), supports: trueSupports(batch.hidden, j) };
    // No penalty: the objective is the misfit ½‖M(y − G(ẑ))‖².
    const history = emptyHistory();
    recordHistory(history, 0, current.f, current.f);
    let rounds = 0;
    let accepted = 0;
    let stop: PhaseReport['stopReason'] = 'max-iterations';
    while (rounds < maxRounds) {
      if (basis.every((s, i) => sameSupport(s, current.supports[i]))) {
        stop = accepted > 0 ? 'converged' : 'exact';
        break;
      }
      rounds++;
      const { z: next } = debiasSignal(ctx, j, current.supports, { start: zj });
      const trial = next === undefined ? undefined : evaluate(next);
      if (next === undefined || trial === undefined || !(trial.f < current.f)) {
        stop = 'converged';
        break;
      }
      basis = current.supports;
      zj = next;
      current = trial;
      accepted++;
      recordHistory(history, rounds, current.f, current.f);
    }
    for (let i = 0; i < n0; i++) z.data[i * ctx.count + j] = zj[i];
    phases[j].push({
      phase: 'refine supports',
      iterations: rounds,
      stopReason: stop,
      ...history,
      ...(accepted > 0
        ? {
            note: `${accepted} round${accepted === 1 ? '' : 's'} re-read the supports from G(ẑ) and lowered the misfit to ${current.f.toExponential(3)}`,
          }
        : {}),
    });
    if (j % 8 === 7) yield (j + 1) / ctx.count;
  }
}
