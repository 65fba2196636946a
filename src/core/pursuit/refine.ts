import { matrix, type Matrix } from '../linalg/matrix';
import { forward } from '../model/forward';
import { signalMisfit, type InversionContext } from './context';
import { debiasSignal } from './debias';
import { trueSupports } from './oracle';
import { sameSupport } from './support';
import { emptyHistory, recordHistory, type PhaseHistory, type PhaseReport } from './types';

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
 * changes. The signals go through their rounds in lock step, so each round's
 * G(ẑ) is one batched pass; each signal's answer is the one it gets alone.
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
  const count = ctx.count;
  /** One batched pass for the ẑ of several signals (the product kernel gives each column the same bits as a one-column pass). */
  const evaluate = (signals: readonly number[], points: readonly Float64Array[]) => {
    const k = points.length;
    const at = matrix(n0, k);
    points.forEach((v, q) => v.forEach((x, i) => (at.data[i * k + q] = x)));
    const pass = forward(ctx.gen, at);
    const n = pass.output.rows;
    return signals.map((j, q) => ({
      f: signalMisfit(
        ctx,
        j,
        Float64Array.from({ length: n }, (_, i) => pass.output.data[i * k + q]),
      ),
      supports: trueSupports(pass.hidden, q),
    }));
  };
  interface State {
    readonly j: number;
    basis: Int32Array[];
    zj: Float64Array;
    current: { f: number; supports: Int32Array[] };
    readonly history: PhaseHistory;
    rounds: number;
    accepted: number;
    stop: PhaseReport['stopReason'];
    /** Whether the rounds ended at a fixed point (G(ẑ) keeps the supports ẑ was debiased on). */
    fixed: boolean;
    done: boolean;
  }
  const states: State[] = [];
  for (let j = 0; j < count; j++) {
    const basis = used(j);
    const zj = Float64Array.from({ length: n0 }, (_, i) => z.data[i * count + j]);
    if (basis === undefined || zj.some((v) => !Number.isFinite(v))) continue;
    states.push({
      j,
      basis,
      zj,
      current: { f: 0, supports: [] },
      history: emptyHistory(),
      rounds: 0,
      accepted: 0,
      stop: 'max-iterations',
      fixed: false,
      done: false,
    });
  }
  evaluate(
    states.map((s) => s.j),
    states.map((s) => s.zj),
  ).forEach((c, q) => {
    states[q].current = c;
    // No penalty: the objective is the misfit ½‖M(y − G(ẑ))‖².
    recordHistory(states[q].history, 0, c.f, c.f);
  });
  // Every signal's rounds in lock step, so that each round's G(ẑ) is one batched pass.
  for (;;) {
    const batch: { s: State; z: Float64Array }[] = [];
    for (const s of states) {
      if (s.done) continue;
      if (s.rounds >= maxRounds) {
        s.done = true;
        continue;
      }
      // A fixed point: G(ẑ) has the supports ẑ was debiased on.
      if (s.basis.every((b, i) => sameSupport(b, s.current.supports[i]))) {
        s.stop = s.accepted > 0 ? 'converged' : 'exact';
        s.fixed = true;
        s.done = true;
        continue;
      }
      s.rounds++;
      const { z: next } = debiasSignal(ctx, s.j, s.current.supports, { start: s.zj });
      if (next === undefined) {
        s.stop = 'converged';
        s.done = true;
        continue;
      }
      batch.push({ s, z: next });
    }
    if (batch.length === 0) break;
    evaluate(
      batch.map((t) => t.s.j),
      batch.map((t) => t.z),
    ).forEach((trial, q) => {
      const { s, z: next } = batch[q];
      if (!(trial.f < s.current.f)) {
        s.stop = 'converged';
        s.done = true;
        return;
      }
      s.basis = s.current.supports;
      s.zj = next;
      s.current = trial;
      s.accepted++;
      recordHistory(s.history, s.rounds, trial.f, trial.f);
    });
    yield states.filter((s) => s.done).length / Math.max(states.length, 1);
  }
  for (const s of states) {
    for (let i = 0; i < n0; i++) z.data[i * count + s.j] = s.zj[i];
    phases[s.j].push({
      phase: 'refine supports',
      iterations: s.rounds,
      stopReason: s.stop,
      ...s.history,
      ...(s.accepted > 0
        ? {
            note:
              `${s.accepted} round${s.accepted === 1 ? '' : 's'} re-read the supports from G(ẑ) and lowered the misfit ` +
              `to ${s.current.f.toExponential(3)}, ${s.fixed ? 'ending where G(ẑ) keeps its supports' : 'until a round no longer lowered it'}`,
          }
        : {}),
    });
  }
}
