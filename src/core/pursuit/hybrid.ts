import { matrix, type Matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { forward } from '../model/forward';
import { certifyUniqueness } from '../theory/certificate';
import { assembleResult, createContext, dataMisfit, misfitFloors, type InversionContext } from './context';
import { checkGradientDescentOptions, gradientDescent, type GradientDescentOptions } from './gradientDescent';
import { latentPursuit, scaled, type LatentPursuitOptions } from './latentPursuit';
import { selectSignals } from './protocol';
import { refineSupportsBatch } from './refine';
import { emptyHistory, type HybridChoice, type HybridPath, type InversionResult, type PhaseReport } from './types';

export interface HybridOptions {
  /** Latent-Pursuit's options for the layered path. */
  readonly lp?: LatentPursuitOptions;
  /** Gradient descent's options for the descent paths (always momentum; `init`, `restarts` and `stepGrid` are the hybrid's). */
  readonly gd?: Omit<GradientDescentOptions, 'optimizer' | 'init' | 'restarts' | 'stepGrid'>;
  /** k: random starts z ~ N(0, I) tried for a signal the first paths left unsettled. @default 3 */
  readonly starts?: number;
  /** Seed of the random starts; start 1 of signal j is the start plain `gd` draws with this seed. @default 0 */
  readonly seed?: number;
  /**
   * Per-signal seeds instead of `seed`: signal j's starts are drawn alone, in
   * order, from createRng(signalSeeds[j]), so its answer does not depend on
   * the batch it ran in (for runs that draw per signal; start 1 is then a
   * one-signal `gd` run's start with that seed).
   */
  readonly signalSeeds?: readonly number[];
  /**
   * A candidate fits when ½‖M(y − G(ẑ))‖² ≤ max(noise floor, misfitTolerance · ½‖My‖²).
   * 1e-16 is ‖r‖/‖y‖ ≤ 1e-8: far below what a wrong z leaves on the
   * measured nets (LP and GD that fail stay above 1e-8 relative), far above
   * what a converged Gauss–Newton leaves (1e-30).
   * @default 1e-16
   */
  readonly misfitTolerance?: number;
  /** Gauss–Newton on the activation pattern of G(ẑ) after every descent (refine.ts): exact digits once the pattern is right. @default true */
  readonly polish?: boolean;
  /**
   * Ask Theorem 1 too (theory/certificate.ts): a fitting layered answer that
   * it does not certify unique is searched on, and among fitting answers a
   * certified one is kept. Off by default for its cost: with a mask every
   * signal has its own rows of W_L, so each certificate factors its own
   * n_L × n_L Gram matrix — on the bundled MNIST generator with 45% of
   * pixels hidden about as long as Latent-Pursuit itself (README, Hybrid pursuit).
   * Without it a fitting answer settles: a search can only replace it by a
   * lower misfit, and below the floor misfits count equal.
   * @default false
   */
  readonly certify?: boolean;
}

export function checkHybridOptions(o: HybridOptions = {}) {
  const r = {
    lp: o.lp ?? {},
    gd: o.gd ?? {},
    starts: o.starts ?? 3,
    seed: o.seed ?? 0,
    signalSeeds: o.signalSeeds,
    misfitTolerance: o.misfitTolerance ?? 1e-16,
    polish: o.polish ?? true,
    certify: o.certify ?? false,
  };
  if (!(Number.isInteger(r.starts) && r.starts >= 0))
    throw new RangeError(`hybrid.starts must be an integer ≥ 0, got ${r.starts}`);
  if (!Number.isSafeInteger(r.seed)) throw new RangeError(`hybrid.seed must be a safe integer, got ${r.seed}`);
  if (r.signalSeeds !== undefined && !r.signalSeeds.every((v) => Number.isSafeInteger(v)))
    throw new RangeError(`hybrid.signalSeeds must be safe integers, got ${JSON.stringify(r.signalSeeds)}`);
  if (!(r.misfitTolerance >= 0 && r.misfitTolerance < 1))
    throw new RangeError(`hybrid.misfitTolerance must be in [0, 1), got ${r.misfitTolerance}`);
  // Checked here so that a bad option fails before the layered path has run.
  checkGradientDescentOptions({ ...r.gd, optimizer: 'momentum' });
  return r;
}

/** One answer for one signal, from one path. */
interface Candidate {
  readonly z: Float64Array;
  readonly misfit: number;
  readonly path: HybridPath;
  readonly start?: number;
  readonly polished: boolean;
  readonly certified?: boolean;
  readonly phases: PhaseReport[];
}

/** A descent to run: signal, start, and the path it stands for. */
interface Descent {
  readonly signal: number;
  readonly init: Float64Array;
  readonly path: HybridPath;
  readonly start?: number;
}

/**
 * The random starts: from one seed, in gradient descent's draw order (start r
 * of signal j is column r·count + j), so start 1 is plain `gd`'s; or from a
 * seed per signal, each signal's k starts drawn alone, one after another.
 */
function randomStarts(
  n0: number,
  count: number,
  k: number,
  seed: number,
  signalSeeds: readonly number[] | undefined,
): (j: number, r: number) => Float64Array {
  if (signalSeeds !== undefined) {
    if (signalSeeds.length !== count)
      throw new RangeError(`hybrid.signalSeeds has ${signalSeeds.length} seeds for ${count} signals`);
    const own = signalSeeds.map((s) => createRng(s).fillGaussian(new Float64Array(n0 * k)));
    return (j, r) => own[j].slice(r * n0, (r + 1) * n0);
  }
  const rng = createRng(seed);
  const draws = new Float64Array(n0 * count * k);
  for (let p = 0; p < draws.length; p++) draws[p] = rng.gaussian();
  return (j, r) => draws.slice((r * count + j) * n0, (r * count + j + 1) * n0);
}

const column = (m: Matrix, j: number) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);

/**
 * Hybrid pursuit (beyond the paper, Sec. 6.1's suggestion): the layered
 * pursuit where the theory backs it, gradient descent where it does not,
 * and the lowest misfit of every answer tried.
 *
 * Per signal j, with m_j its known unsaturated pixels and n_L the width of
 * the last hidden layer:
 * - Order. When n_L ≤ m_j the layered pursuit runs first. When n_L > m_j
 *   (Fig. 2's third regime, n1 = 1000 > n = 625) W_L restricted to the known
 *   pixels has a null space, a ReLU layer of i.i.d. weights has s_L ≈ n_L/2
 *   units on, and Theorem 1's s_L < spark(W_L)/2 ≤ (m_j + 1)/2 fails: the
 *   layered route has no guarantee there and its exact last-layer solves
 *   walk thousands of active-set rounds (about 2–25 s a signal). So a
 *   descent from random start 1 runs first, and Latent-Pursuit only for the
 *   signals it leaves unsettled.
 * - Settled. A candidate settles its signal when it fits (misfit ≤ the floor,
 *   misfitFloors) and, with `certify` where n_L ≤ m_j, Theorem 1 certifies
 *   it unique on its own supports (theory/certificate.ts); where n_L > m_j
 *   the certificate cannot hold at typical sparsity, so fitting settles.
 * - Search. An unsettled signal gets gradient descent (momentum, gd's schedule)
 *   from the layered ẑ and from the random starts not yet run (k in all),
 *   each followed by Gauss–Newton on the activation pattern of G(ẑ)
 *   (refine.ts: debiasing on G(ẑ)'s own supports while the misfit falls),
 *   which turns a descent stalled at 1e-4 into an exact answer once the
 *   pattern is right.
 * - Choice. The lowest misfit, misfits below the floor counted equal and ties
 *   going to the earlier path (layered first): among answers that all fit the
 *   data, a smaller misfit says nothing; with `certify`, a certified fitting
 *   answer before an uncertified one. `paths[j]` records the winner.
 *
 * Each signal's phases are those of its winning path, then a `hybrid` phase
 * whose note lists what was tried.
 */
export function* hybridPursuit(
  ctx: InversionContext,
  options: HybridOptions = {},
): Generator<number, InversionResult, void> {
  const o = checkHybridOptions(options);
  const { count, layers } = ctx;
  const n0 = layers[0].W.cols;
  const nL = layers[layers.length - 1].W.cols;
  const floors = misfitFloors(ctx, o.misfitTolerance);
  const startOf = randomStarts(n0, count, Math.max(o.starts, 1), o.seed, o.signalSeeds);
  const wide = Array.from({ length: count }, (_, j) => nL > ctx.equationRows(j).length);
  const best: (Candidate | undefined)[] = new Array(count).fill(undefined);
  const tried: string[][] = Array.from({ length: count }, () => []);
  // The layered ẑ, kept as the search's first start even where a random start fits better.
  const layeredZ: (Float64Array | undefined)[] = new Array(count).fill(undefined);
  const fits = (j: number, misfit: number) => misfit <= floors[j];
  // Ranks, compared in order: fits, certified (where asked), misfit down to the floor.
  const rank = (j: number, c: Candidate) => [
    fits(j, c.misfit) ? 0 : 1,
    c.certified === false ? 1 : 0,
    Number.isNaN(c.misfit) ? Infinity : Math.max(c.misfit, floors[j]),
  ];
  const better = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  };
  const consider = (j: number, c: Candidate) => {
    tried[j].push(`${label(c)}: misfit ${c.misfit.toExponential(2)}${c.certified === false ? ', not certified' : ''}`);
    const b = best[j];
    if (b === undefined || better(rank(j, c), rank(j, b))) best[j] = c;
  };
  const settled = (j: number) => {
    const b = best[j];
    return b !== undefined && fits(j, b.misfit) && (!o.certify || wide[j] || b.certified === true);
  };
  /** Theorem 1 on column q of a batch's answers, where it is asked and can hold; undefined otherwise. */
  const certificate = (sub: InversionContext, hidden: readonly Matrix[], q: number, j: number, misfit: number) =>
    o.certify && fits(j, misfit) && !wide[j]
      ? certifyUniqueness(sub.layers, hidden, q, sub.equationRows(q)).certified
      : undefined;
  const contextOf = (signals: readonly number[]) =>
    signals.length === count && signals.every((j, q) => j === q)
      ? ctx
      : createContext(ctx.gen, selectSignals(ctx.obs, signals), ctx.saturation.tolerance);

  /** Gradient descent from each start, batched, then the Gauss–Newton polish; every answer a candidate. */
  function* descend(runs: readonly Descent[], base: number, weight: number): Generator<number, void, void> {
    if (runs.length === 0) return;
    const sub = contextOf(runs.map((d) => d.signal));
    const init = matrix(n0, runs.length);
    runs.forEach((d, q) => d.init.forEach((v, i) => (init.data[i * runs.length + q] = v)));
    const gd = yield* scaled(
      gradientDescent(sub, { ...o.gd, optimizer: 'momentum', init, restarts: 1 }),
      base,
      weight * 0.9,
    );
    const z = matrix(n0, runs.length, Float64Array.from(gd.z.data));
    const phases = gd.signals.map((s) => [...s.phases]);
    if (o.polish) {
      // No supports were debiased yet: empty ones make the first round read G(ẑ)'s own.
      const none = layers.slice(1).map(() => new Int32Array(0));
      yield* scaled(
        refineSupportsBatch(sub, z, phases, () => none),
        base + weight * 0.9,
        weight * 0.1,
      );
    }
    const misfit = dataMisfit(sub, z);
    const hidden = o.certify ? forward(ctx.gen, z).hidden : [];
    runs.forEach((d, q) => {
      const polished = misfit[q] < gd.signals[q].residual;
      const certified = certificate(sub, hidden, q, d.signal, misfit[q]);
      consider(d.signal, {
        z: column(z, q),
        misfit: misfit[q],
        path: d.path,
        ...(d.start !== undefined ? { start: d.start } : {}),
        polished,
        ...(certified !== undefined ? { certified } : {}),
        phases: phases[q].map((p) => (p.phase === 'refine supports' ? { ...p, phase: 'Gauss–Newton polish' } : p)),
      });
    });
  }

  // 1. Where the layered route has no guarantee, a descent from random start 1 first.
  const wideSignals = wide.flatMap((w, j) => (w ? [j] : []));
  const firstRandom = o.starts > 0 ? wideSignals : [];
  yield* descend(
    firstRandom.map((j) => ({ signal: j, init: startOf(j, 0), path: 'gd-random', start: 1 })),
    0,
    0.3,
  );

  // 2. The layered pursuit, on the rest.
  const layered = Array.from({ length: count }, (_, j) => j).filter((j) => !settled(j));
  if (layered.length > 0) {
    const sub = contextOf(layered);
    const lp = yield* scaled(latentPursuit(sub, o.lp), 0.3, 0.3);
    const hidden = o.certify ? forward(ctx.gen, lp.z).hidden : [];
    layered.forEach((j, q) => {
      const misfit = lp.signals[q].residual;
      const certified = certificate(sub, hidden, q, j, misfit);
      layeredZ[j] = column(lp.z, q);
      consider(j, {
        z: layeredZ[j],
        misfit,
        path: 'lp',
        polished: false,
        ...(certified !== undefined ? { certified } : {}),
        phases: lp.signals[q].phases,
      });
    });
  }

  // 3. The search, on what is still unsettled: from the layered ẑ and from the random starts not yet run.
  const search: Descent[] = [];
  for (const j of layered) {
    if (settled(j)) continue;
    const lpAnswer = layeredZ[j];
    if (lpAnswer !== undefined && lpAnswer.every(Number.isFinite))
      search.push({ signal: j, init: lpAnswer, path: 'gd-from-lp' });
    for (let r = firstRandom.includes(j) ? 1 : 0; r < o.starts; r++)
      search.push({ signal: j, init: startOf(j, r), path: 'gd-random', start: r + 1 });
  }
  yield* descend(search, 0.6, 0.4);

  const z = matrix(n0, count);
  const phases: PhaseReport[][] = [];
  const paths: HybridChoice[] = [];
  for (let j = 0; j < count; j++) {
    const b = best[j] as Candidate;
    b.z.forEach((v, i) => (z.data[i * count + j] = v));
    paths.push({
      path: b.path,
      ...(b.start !== undefined ? { start: b.start } : {}),
      polished: b.polished,
      ...(b.certified !== undefined ? { certified: b.certified } : {}),
      tried: tried[j].length,
    });
    phases.push([
      ...b.phases,
      {
        phase: 'hybrid',
        iterations: 0,
        stopReason: 'exact',
        ...emptyHistory(),
        note: `kept ${label(b)} of ${tried[j].join('; ')}${wide[j] ? ' (n_L > known pixels: descent first)' : ''}`,
      },
    ]);
  }
  yield 1;
  return { ...assembleResult(ctx, 'hybrid', z, [], phases, 0), paths };
}

function label(c: Candidate): string {
  const name = c.path === 'gd-random' ? `gd-random (start ${c.start})` : c.path;
  return c.polished ? `${name} + Gauss–Newton` : name;
}
