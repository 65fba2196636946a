import { phiResidual } from './saturation';
import { measuredOutput } from './smooth';
import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { assembleResult, type InversionContext } from './context';
import { emptyHistory, recordHistory, type PhaseReport, type PhaseStop } from './types';

export interface GradientDescentOptions {
  /** `momentum`: heavy ball (the paper's baseline); `adam`: Adam (a stronger baseline). @default 'momentum' */
  readonly optimizer?: 'momentum' | 'adam';
  /** Initial step (learning rate). @default 0.1 for momentum, 0.01 for adam */
  readonly step?: number;
  /**
   * How the step falls over the run. `step`: the paper's, multiplied by
   * `decay` every `decayEvery` iterations (0.1 halved every 2,500);
   * `geometric`: by a constant factor every iteration, from `step` to
   * `finalStep` at `maxIterations` (PyTorch's ExponentialLR; see stepAt).
   * Defaults measured on the bundled MNIST generator, 64 clean signals,
   * 10,000 iterations (`npm run bench -- gd-schedules`): momentum recovered
   * 64 of 64 with `geometric`, 60 with `step`; Adam 63 with `step`, 47 with
   * `geometric` (0.01 → 1e-4).
   * @default 'geometric' for momentum, 'step' for adam
   */
  readonly schedule?: 'step' | 'geometric';
  /** The geometric schedule's last step. @default step / 100 (0.1 → 1e-3 for momentum) */
  readonly finalStep?: number;
  /** The step schedule's multiplier, applied every `decayEvery` iterations. @default 0.5 */
  readonly decay?: number;
  /** @default 2500 */
  readonly decayEvery?: number;
  /** Momentum coefficient (heavy ball). @default 0.9 */
  readonly momentum?: number;
  /** @default 10000 (the paper's) */
  readonly maxIterations?: number;
  /** Stop a signal when ‖∇‖₂ ≤ this (the paper: 1e-9). @default 1e-9 */
  readonly gradientTolerance?: number;
  /** Independent random starts per signal; the one with the lowest final misfit is kept. @default 1 */
  readonly restarts?: number;
  /** Seed of the random starts z ~ N(0, I). @default 0 */
  readonly seed?: number;
  /** Start from these latent vectors (n₀ × count) instead of random ones (restarts then add noise of std 1 to them). */
  readonly init?: Matrix;
  /**
   * The paper's Fig. 2 protocol: per signal, the smallest step of this grid
   * whose run ends with ‖∇‖ ≤ gradientTolerance (protocol.ts); `step` is
   * then unused. The paper's grid is PAPER_STEP_GRID (shared/presets.ts), {1e-1, 1, …, 1e4}.
   */
  readonly stepGrid?: readonly number[];
  /**
   * Stochastic clipping (Lipton & Tripathi 2017, "Precise recovery of latent
   * vectors from generative adversarial networks", ICLR workshop): after every
   * update (and at the start), each component of z outside [−clipRange,
   * clipRange] is replaced by a uniform draw from that interval (from the
   * run's seeded generator), instead of being clipped to the edge where it
   * would stick. The paper's latents are uniform on [−1, 1], so its range is
   * the prior's support; ours are N(0, I), whose support is unbounded, so the
   * `gd-clip` method takes 4: a true component lies outside with probability
   * 6.3e-5 (then that signal cannot be recovered exactly), while a diverging
   * coordinate is still sent back into the bulk of the prior.
   * Undefined: no clipping (plain gradient descent).
   */
  readonly clipRange?: number;
}

export function checkGradientDescentOptions(o: GradientDescentOptions = {}) {
  const optimizer = o.optimizer ?? 'momentum';
  const step = o.step ?? (optimizer === 'adam' ? 0.01 : 0.1);
  const r = {
    optimizer,
    step,
    schedule: o.schedule ?? (optimizer === 'adam' ? 'step' : 'geometric'),
    finalStep: o.finalStep ?? step / 100,
    decay: o.decay ?? 0.5,
    decayEvery: o.decayEvery ?? 2500,
    momentum: o.momentum ?? 0.9,
    maxIterations: o.maxIterations ?? 10000,
    gradientTolerance: o.gradientTolerance ?? 1e-9,
    restarts: o.restarts ?? 1,
    seed: o.seed ?? 0,
    init: o.init,
    clipRange: o.clipRange,
  };
  if (r.clipRange !== undefined && !(r.clipRange > 0 && Number.isFinite(r.clipRange)))
    throw new RangeError(`clipRange must be a finite number > 0, got ${r.clipRange}`);
  if (!(r.step > 0)) throw new RangeError(`step must be > 0, got ${r.step}`);
  if (r.schedule !== 'step' && r.schedule !== 'geometric')
    throw new RangeError(`schedule must be 'step' or 'geometric', got ${String(r.schedule)}`);
  if (!(r.finalStep > 0 && r.finalStep <= r.step))
    throw new RangeError(`finalStep must be in (0, step], got ${r.finalStep}`);
  if (!(r.decay > 0 && r.decay <= 1)) throw new RangeError(`decay must be in (0, 1], got ${r.decay}`);
  if (!(r.momentum >= 0 && r.momentum < 1)) throw new RangeError(`momentum must be in [0, 1), got ${r.momentum}`);
  if (!(Number.isInteger(r.maxIterations) && r.maxIterations >= 1))
    throw new RangeError('maxIterations must be a positive integer');
  if (!(Number.isInteger(r.restarts) && r.restarts >= 1))
    throw new RangeError(`restarts must be a positive integer, got ${r.restarts}`);
  return r;
}

/**
 * The step of iteration `it` (1-based) under checked options:
 * `step`: step · decay^⌊(it − 1)/decayEvery⌋;
 * `geometric`: step · (finalStep/step)^((it − 1)/maxIterations), so
 * iteration 1 takes `step` and the ratio between successive steps is
 * (finalStep/step)^(1/maxIterations), as PyTorch's ExponentialLR with that γ.
 *
 * @example stepAt(checkGradientDescentOptions({ schedule: 'geometric' }), 10001) // 1e-3
 */
export function stepAt(o: ReturnType<typeof checkGradientDescentOptions>, it: number): number {
  return o.schedule === 'geometric'
    ? o.step * (o.finalStep / o.step) ** ((it - 1) / o.maxIterations)
    : o.step * o.decay ** Math.floor((it - 1) / o.decayEvery);
}

/**
 * Misfit f(z) = ½‖M(y − G(z))‖² (or ½‖y − A·G(z)‖²) and its gradient for a batch, by one
 * forward and one backward pass (every product batched over the columns).
 * `cols[k]` maps batch column k to its signal.
 */
export function misfitGradient(
  ctx: InversionContext,
  z: Matrix,
  cols: Int32Array,
  grad: Matrix,
  f: Float64Array,
): void {
  const { layers, phi, obs } = ctx;
  const K = z.cols;
  const count = obs.y.cols;
  const acts: Matrix[] = [z];
  for (let i = 0; i < layers.length; i++) {
    const pre = gemm(layers[i].W, acts[i], matrix(layers[i].W.rows, K), layers[i].b);
    if (i < layers.length - 1) for (let p = 0; p < pre.data.length; p++) if (pre.data[p] < 0) pre.data[p] = 0;
    acts.push(pre);
  }
  // δ at the output pre-activation.
  const out = acts[layers.length];
  const delta = matrix(out.rows, K);
  f.fill(0);
  if (ctx.measure !== undefined) measuredOutput(ctx.measure, phi, obs.y).evaluate(out, cols, f, delta);
  else
    for (let i = 0; i < out.rows; i++) {
      for (let k = 0; k < K; k++) {
        const o = i * count + cols[k];
        if (obs.known !== undefined && !obs.known[o]) continue;
        const p = i * K + k;
        const r = phiResidual(ctx.saturation, phi.forward(out.data[p]), obs.y.data[o], ctx.saturation.side[o]);
        f[k] += 0.5 * r * r;
        delta.data[p] = phi.derivative(out.data[p]) * r;
      }
    }
  let d = delta;
  for (let i = layers.length - 1; i >= 0; i--) {
    const g = i === 0 ? grad : matrix(layers[i].W.cols, K);
    gemm(layers[i].Wt, d, g);
    if (i > 0) {
      // Through ReLU: the hidden activation is positive exactly where the unit is on.
      const x = acts[i];
      for (let p = 0; p < g.data.length; p++) if (!(x.data[p] > 0)) g.data[p] = 0;
    }
    d = g;
  }
}

/**
 * Gradient descent on min_z ½‖M(y − G(z))‖² from random z ~ N(0, I):
 * momentum 0.9, 10,000 iterations, step 0.1 decaying geometrically to 1e-3
 * (or, with `schedule: 'step'`, the paper's: halved every 2,500), or Adam
 * (step 0.01 halved every 2,500); optionally with restarts, keeping the best.
 * Stopping rule, per signal: ‖∇‖ ≤ gradientTolerance (`gradient`), else
 * `max-iterations`; a non-finite misfit stops it as `failed` (diverged).
 */
export function* gradientDescent(
  ctx: InversionContext,
  options: GradientDescentOptions = {},
): Generator<number, ReturnType<typeof assembleResult>, void> {
  const o = checkGradientDescentOptions(options);
  const n0 = ctx.layers[0].W.cols;
  const count = ctx.count;
  const total = count * o.restarts;
  if (o.init !== undefined && (o.init.rows !== n0 || o.init.cols !== count)) {
    throw new RangeError(`init must be ${n0} × ${count} (n0 × signals), got ${o.init.rows} × ${o.init.cols}`);
  }
  const rng = createRng(o.seed);
  // Columns: restart r of signal j is column r·count + j.
  const z = matrix(n0, total);
  for (let r = 0; r < o.restarts; r++) {
    for (let j = 0; j < count; j++) {
      for (let i = 0; i < n0; i++) {
        const base = o.init === undefined ? 0 : o.init.data[i * count + j];
        const noise = o.init !== undefined && r === 0 ? 0 : rng.gaussian();
        z.data[i * total + r * count + j] = base + noise;
      }
    }
  }
  // Stochastic clipping: a component outside [−r, r] is redrawn uniformly inside it (counted per column).
  const clipped = new Int32Array(total);
  const clip = (data: Float64Array, p: number, c: number) => {
    const r = o.clipRange;
    if (r === undefined || (data[p] >= -r && data[p] <= r)) return;
    data[p] = r * (2 * rng.uniform() - 1);
    clipped[c]++;
  };
  for (let p = 0; p < z.data.length; p++) clip(z.data, p, p % total);
  const signalOf = Int32Array.from({ length: total }, (_, c) => c % count);
  const reports: PhaseReport[] = new Array(total);
  const histories = Array.from({ length: total }, emptyHistory);
  const finalMisfit = new Float64Array(total).fill(Number.POSITIVE_INFINITY);
  const name =
    (o.optimizer === 'adam' ? 'gradient descent (Adam)' : 'gradient descent (momentum)') +
    (o.clipRange === undefined ? '' : ' + stochastic clipping');

  let active = Int32Array.from({ length: total }, (_, c) => c);
  let zA = matrix(n0, total, Float64Array.from(z.data));
  let m1 = matrix(n0, total);
  let m2 = matrix(n0, total);
  for (let it = 1; active.length > 0; it++) {
    const K = active.length;
    const grad = matrix(n0, K);
    const f = new Float64Array(K);
    misfitGradient(
      ctx,
      zA,
      Int32Array.from(active, (c) => signalOf[c]),
      grad,
      f,
    );
    const gnorm = new Float64Array(K);
    for (let p = 0; p < grad.data.length; p++) gnorm[p % K] += grad.data[p] ** 2;
    const lr = stepAt(o, it);
    const stop = new Array<PhaseStop | undefined>(K).fill(undefined);
    for (let k = 0; k < K; k++) {
      const c = active[k];
      // No penalty: the objective is the misfit.
      recordHistory(histories[c], it, f[k], f[k]);
      finalMisfit[c] = f[k];
      if (!Number.isFinite(f[k])) stop[k] = 'failed';
      else if (Math.sqrt(gnorm[k]) <= o.gradientTolerance) stop[k] = 'gradient';
      else if (it > o.maxIterations) stop[k] = 'max-iterations';
    }
    // Update the ones still running.
    const b1 = 0.9;
    const b2 = 0.999;
    for (let i = 0; i < n0; i++) {
      for (let k = 0; k < K; k++) {
        if (stop[k] !== undefined) continue;
        const p = i * K + k;
        const g = grad.data[p];
        if (o.optimizer === 'adam') {
          m1.data[p] = b1 * m1.data[p] + (1 - b1) * g;
          m2.data[p] = b2 * m2.data[p] + (1 - b2) * g * g;
          const mh = m1.data[p] / (1 - b1 ** it);
          const vh = m2.data[p] / (1 - b2 ** it);
          zA.data[p] -= (lr * mh) / (Math.sqrt(vh) + 1e-12);
        } else {
          m1.data[p] = o.momentum * m1.data[p] - lr * g;
          zA.data[p] += m1.data[p];
        }
        clip(zA.data, p, active[k]);
      }
    }
    if (stop.some((s) => s !== undefined)) {
      const keep: number[] = [];
      for (let k = 0; k < K; k++) {
        const c = active[k];
        const s = stop[k];
        if (s === undefined) {
          keep.push(k);
          continue;
        }
        for (let i = 0; i < n0; i++) z.data[i * total + c] = zA.data[i * K + k];
        reports[c] = {
          phase: name,
          iterations: it - 1,
          stopReason: s,
          ...histories[c],
          ...(s === 'failed'
            ? { note: 'the misfit became non-finite (diverged); try a smaller step' }
            : o.clipRange !== undefined
              ? {
                  note: `stochastic clipping to [−${o.clipRange}, ${o.clipRange}] (seed ${o.seed}): ${clipped[c]} components redrawn`,
                }
              : {}),
        };
      }
      const pick = (mm: Matrix) => {
        const out = matrix(n0, keep.length);
        for (let i = 0; i < n0; i++)
          for (let q = 0; q < keep.length; q++) out.data[i * keep.length + q] = mm.data[i * K + keep[q]];
        return out;
      };
      zA = pick(zA);
      m1 = pick(m1);
      m2 = pick(m2);
      active = Int32Array.from(keep, (k) => active[k]);
    }
    yield Math.max((total - active.length) / total, Math.min(it / o.maxIterations, 1));
  }

  // Keep, per signal, the restart with the lowest final misfit.
  const best = matrix(n0, count);
  const phases: PhaseReport[][] = [];
  for (let j = 0; j < count; j++) {
    let bestC = j;
    for (let r = 1; r < o.restarts; r++) {
      const c = r * count + j;
      // A finite misfit beats NaN (a diverged start), then the lower one wins.
      const better = Number.isNaN(finalMisfit[bestC])
        ? !Number.isNaN(finalMisfit[c])
        : finalMisfit[c] < finalMisfit[bestC];
      if (better) bestC = c;
    }
    for (let i = 0; i < n0; i++) best.data[i * count + j] = z.data[i * total + bestC];
    const report = reports[bestC];
    phases.push([
      o.restarts > 1
        ? {
            ...report,
            note: `${report.note === undefined ? '' : `${report.note}; `}best of ${o.restarts} random starts (restart ${Math.floor(bestC / count) + 1})`,
          }
        : report,
    ]);
  }
  return assembleResult(ctx, o.optimizer === 'adam' ? 'adam' : 'gd', best, [], phases, 0);
}
