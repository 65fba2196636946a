import { matrix, type Matrix } from '../linalg/matrix';
import type { NoiseSpec } from '../model/observation';
import { activeSetLasso } from './activeSet';
import { leastSquaresStart } from './warmStart';
import {
  assembleResult,
  outputSystem,
  scatterColumns,
  selectColumns,
  selectMaskColumns,
  type InversionContext,
} from './context';
import { debiasBatch } from './debias';
import { refineSupportsBatch } from './refine';
import { fista, type FistaProblem } from './fista';
import { scaled } from './latentPursuit';
import { leastSquaresOnSupport } from './leastSquares';
import { rowPreActivation, solveWithInequalities } from './saturation';
import { l1Norm, maskedLeastSquares, smoothAt } from './smooth';
import { columnSupport, supportMask } from './support';
import type { PreparedLayer } from './prepared';
import { emptyHistory, onePoint, type InversionResult, type PhaseReport } from './types';

/** λ of the basis-pursuit limit, relative to the layer's gradient scale max|Wᵀc|. */
const BASIS_PURSUIT_LAMBDA = 1e-7;

export interface LayeredBasisPursuitOptions {
  /**
   * λ of every layer: a fixed number, or `theorem3` — the paper's rule
   * λ_L = 2ε_{L+1}, λ_i = 2ε_{i+1} with ε_{L+1} = ℓε (ℓ: Lipschitz constant
   * of φ⁻¹ on the observed values) and ε_i = (3 + √1.5)·√s_i·ε_{i+1} / min_j ‖W_i[Ŝ_{i+1}, j]‖
   * using the support size s_i the layer's solution has. Noiseless: λ = 0.
   * The rule is a worst-case bound: under noise it is usually so large that
   * the last layer comes out empty, so the default is the paper's experiments'
   * choice, 0 (they pick λ from {1e-5, 7e-6, 3e-6, 1e-6, 0} and debias).
   * @default 0
   */
  readonly lambda?: number | 'theorem3';
  /** Relative support tolerance. @default 1e-6 */
  readonly supportTolerance?: number;
  /** Exact solve on settled supports, accepted on KKT (true), or plain FISTA (false). @default true */
  readonly exact?: boolean;
  /** FISTA iterations at most, per layer. @default 5000 */
  readonly maxIterations?: number;
  /** FISTA's relative-change tolerance. @default 1e-12 */
  readonly tolerance?: number;
  /** Debias on the recovered supports, as the paper's experiments do. @default true */
  readonly debias?: boolean;
  /** After debiasing, re-read the supports from G(ẑ) and debias again while the misfit falls (refine.ts). @default true */
  readonly refine?: boolean;
  /**
   * The paper's Fig. 2 protocol: per signal, the λ of this grid with the
   * lowest final misfit (protocol.ts); `lambda` is then unused. The paper's
   * grid is PAPER_LAMBDA_GRID (shared/presets.ts), {1e-5, 7e-6, 3e-6, 1e-6, 0}.
   */
  readonly lambdaGrid?: readonly number[];
}

export function checkLayeredBasisPursuitOptions(
  o: LayeredBasisPursuitOptions = {},
): Required<Omit<LayeredBasisPursuitOptions, 'lambdaGrid'>> {
  const r = {
    lambda: o.lambda ?? 0,
    supportTolerance: o.supportTolerance ?? 1e-6,
    exact: o.exact ?? true,
    maxIterations: o.maxIterations ?? 5000,
    tolerance: o.tolerance ?? 1e-12,
    debias: o.debias ?? true,
    refine: o.refine ?? true,
  };
  if (r.lambda !== 'theorem3' && !(r.lambda >= 0))
    throw new RangeError(`lambda must be ≥ 0 or "theorem3", got ${r.lambda}`);
  if (!(r.supportTolerance > 0 && r.supportTolerance < 1))
    throw new RangeError(`supportTolerance must be in (0, 1), got ${r.supportTolerance}`);
  if (!(Number.isInteger(r.maxIterations) && r.maxIterations >= 1))
    throw new RangeError('maxIterations must be a positive integer');
  return r;
}

/** ‖e‖₂ bound per signal: ε for bounded noise, σ√(known pixels) for Gaussian noise, 0 without noise. */
function noiseNorm(noise: NoiseSpec, known: number): number {
  if (noise.kind === 'bounded') return noise.epsilon;
  if (noise.kind === 'gaussian') return noise.sigma * Math.sqrt(known);
  return 0;
}

/**
 * Layered Basis-Pursuit (Alg. 1), every signal at once: the lasso
 * x̂_L = argmin ½‖φ⁻¹(y) − b_L − W_L x‖² + λ_L‖x‖₁ on the known pixels, then
 * for i = L−1 … 1 the lasso on the rows Ŝ_{i+1} = supp(x̂_{i+1}), then z by
 * least squares on Ŝ_1, then (by default) debiasing. Ignores what
 * Latent-Pursuit uses: nonnegativity and the off-support rows. With λ = 0 an
 * inner layer's lasso is least squares: one exact solve where |Ŝ_{i+1}| ≥ n_i,
 * basis pursuit (its λ → 0⁺ limit) where fewer rows leave it underdetermined.
 */
export function* layeredBasisPursuit(
  ctx: InversionContext,
  options: LayeredBasisPursuitOptions = {},
): Generator<number, InversionResult, void> {
  const o = checkLayeredBasisPursuitOptions(options);
  const { layers, count, obs } = ctx;
  const L = layers.length - 1;
  const n0 = layers[0].W.cols;
  const phases: PhaseReport[][] = Array.from({ length: count }, () => []);
  const estimates: Matrix[] = layers.slice(0, L).map((l) => matrix(l.W.rows, count));
  const share = 0.8 / L;

  // ε_{L+1} = ℓ·ε per signal (ℓ = max over the equations of (φ⁻¹)′(y) = 1/φ′(φ⁻¹(y))).
  // The output layer's rows: equations on φ⁻¹(y) and one-sided bounds for saturated pixels.
  const outputSystems = Array.from({ length: count }, (_, j) => outputSystem(ctx, j));
  const epsilon = new Float64Array(count);
  const n = obs.y.rows;
  const target = matrix(n, count);
  for (let j = 0; j < count; j++) {
    const sys = outputSystems[j];
    let lip = 0;
    for (const r of sys.equations) {
      const t = sys.target[r] + layers[L].b[r];
      lip = Math.max(lip, 1 / Math.max(ctx.phi.derivative(t), Number.MIN_VALUE));
    }
    for (let r = 0; r < n; r++) target.data[r * count + j] = sys.target[r] + layers[L].b[r];
    epsilon[j] = lip * noiseNorm(obs.noise, ctx.knownRows(j).length);
  }
  const lambdaFor = () => Float64Array.from(epsilon, (e) => (o.lambda === 'theorem3' ? 2 * e : o.lambda));

  let rowMask: Uint8Array | undefined = obs.known;
  for (let i = L; i >= 1; i--) {
    const layer = layers[i];
    const lambda = lambdaFor();
    const layerTarget = i === L ? target : estimates[i];
    const mask = rowMask;
    // The least-squares rows of signal j and their right-hand side c = target − b; at the output,
    // only the equations (the saturated pixels are one-sided: see `exact` below).
    const system = (j: number) => {
      if (i === L) return { rows: outputSystems[j].equations, c: outputSystems[j].target };
      const rows: number[] = [];
      const c = new Float64Array(layer.W.rows);
      for (let r = 0; r < layer.W.rows; r++) {
        if (mask !== undefined && !mask[r * count + j]) continue;
        rows.push(r);
        c[r] = layerTarget.data[r * count + j] - layer.b[r];
      }
      return { rows: Int32Array.from(rows), c };
    };
    /** Exact solve with the rows of `system(j)`; at the output, semismooth Newton over the violated saturated pixels. */
    const exact = (j: number, solve: (rows: Int32Array, c: Float64Array) => Float64Array | undefined) => {
      const { rows, c } = system(j);
      const sys = outputSystems[j];
      if (i !== L || sys.inequalities.length === 0) return solve(rows, c);
      return solveWithInequalities(
        rows,
        sys.inequalities,
        (r) => solve(r, c),
        (x, r) => sys.gap(r, rowPreActivation(layer, x, r)),
        sys.slack,
      )?.x;
    };

    // The layer's least-squares term on the whole batch (FISTA below gets it on its sub-batch).
    const layerMisfit = maskedLeastSquares(
      layerTarget,
      mask,
      i === L && ctx.saturation.range !== undefined ? { sat: ctx.saturation, side: ctx.saturation.side } : undefined,
    );

    const everyColumn = Int32Array.from({ length: layer.W.cols }, (_, q) => q);
    // Basis pursuit where λ = 0 leaves the layer underdetermined (fewer rows than unknowns):
    // the lasso's λ → 0⁺ limit, min ‖x‖₁ s.t. W x = c, by active-set rounds from the empty
    // support with λ = 1e-7 of the gradient scale (debiasing removes that λ's bias).
    const pending: number[] = [];
    /** Signal j's closed-form x̂_{i−1}, with its one-point report: the least-squares misfit, the objective adding λ‖x‖₁. */
    const keep = (j: number, x: Float64Array, phase: string, stopReason: 'exact' | 'kkt', lam: number) => {
      for (let q = 0; q < layer.W.cols; q++) estimates[i - 1].data[q * count + j] = x[q];
      const misfit = smoothAt(layerMisfit, layer, x, j);
      phases[j].push({ phase, iterations: 1, stopReason, ...onePoint(misfit + lam * l1Norm(x), misfit) });
    };
    for (let j = 0; j < count; j++) {
      const { rows, c } = system(j);
      // An inner layer with λ = 0 and at least as many supported rows as unknowns: the lasso is
      // least squares, whose minimiser (W[R,:] of full column rank) is one exact solve. The output
      // layer keeps FISTA (its saturated pixels are one-sided rows; it starts from least squares).
      if (o.exact && lambda[j] === 0 && i < L && rows.length >= layer.W.cols) {
        const x = leastSquaresOnSupport(layer.W, layer.Wt, rows, everyColumn, c).x;
        if (x === undefined) pending.push(j);
        else keep(j, x, `layer ${i} (least squares)`, 'exact', 0);
        continue;
      }
      if (!(o.exact && lambda[j] === 0 && rows.length < layer.W.cols)) {
        pending.push(j);
        continue;
      }
      let scale = 0;
      for (let q = 0; q < layer.W.cols; q++) {
        let sum = 0;
        for (const r of rows) sum += layer.Wt.data[q * layer.W.rows + r] * c[r];
        scale = Math.max(scale, Math.abs(sum));
      }
      lambda[j] = BASIS_PURSUIT_LAMBDA * scale;
      const x = exact(j, (r, cc) => {
        const bp = activeSetLasso({
          W: layer.W,
          Wt: layer.Wt,
          rows: r,
          target: cc,
          lambda: lambda[j],
          nonnegative: false,
          guess: new Int32Array(0),
          maxRounds: 3 * layer.W.cols,
        });
        return bp === undefined ? undefined : exactFitOnSupport(layer, r, cc, bp);
      });
      if (x === undefined) pending.push(j);
      else keep(j, x, `layer ${i} (basis pursuit, active set)`, 'kkt', lambda[j]);
    }

    // The lasso by FISTA for the others, on a sub-batch of just those signals.
    const cols = Int32Array.from(pending);
    const subTarget = selectColumns(layerTarget, cols);
    const subMask = mask === undefined ? undefined : selectMaskColumns(mask, layer.W.rows, count, cols);
    const subLambda = Float64Array.from(cols, (j) => lambda[j]);
    const saturation =
      i === L && ctx.saturation.range !== undefined
        ? { sat: ctx.saturation, side: selectMaskColumns(ctx.saturation.side, layer.W.rows, count, cols) }
        : undefined;
    const problem: FistaProblem = {
      W: layer.W,
      Wt: layer.Wt,
      bias: layer.b,
      smooth: maskedLeastSquares(subTarget, subMask, saturation),
      prox: 'l1',
      lambda: subLambda,
      lipschitz: layer.lambdaMax,
      exactOnSupport: o.exact
        ? (k, guess, iterate) =>
            exact(cols[k], (rows, c) =>
              activeSetLasso({
                W: layer.W,
                Wt: layer.Wt,
                gram: rows.length === layer.W.rows ? layer.gram : undefined,
                rows,
                target: c,
                lambda: subLambda[k],
                nonnegative: false,
                guess,
                signsFrom: iterate,
              }),
            )
        : undefined,
    };
    if (i === L && o.exact) leastSquaresStart(ctx, estimates[i - 1], false);
    const sub = selectColumns(estimates[i - 1], cols);
    const reports = yield* scaled(
      fista(problem, sub, {
        phase: `layer ${i} (lasso, FISTA${o.exact ? ' + exact on support' : ''})`,
        maxIterations: o.maxIterations,
        tolerance: o.tolerance,
        exactEvery: o.exact ? 10 : 0,
        // The paper's plain iterations run to their tolerance or cap, without the stall rule.
        stall: o.exact ? undefined : { window: 0 },
      }),
      (L - i) * share,
      share,
    );
    scatterColumns(sub, cols, estimates[i - 1]);
    reports.forEach((r, k) => phases[cols[k]].push(r));
    const { mask: nextMask, supports } = supportMask(estimates[i - 1], o.supportTolerance);
    rowMask = nextMask;
    // ε_i from Theorem 3 for the next layer's λ: (3 + √1.5)·√s_i·ε_{i+1} / min_j ‖W_i[Ŝ_{i+1}, j]‖.
    if (o.lambda === 'theorem3') {
      for (let j = 0; j < count; j++) {
        const si = supports[j].length;
        let minNorm = Infinity;
        for (let c = 0; c < layer.W.cols; c++) {
          let s = 0;
          for (let r = 0; r < layer.W.rows; r++) {
            if (mask !== undefined && !mask[r * count + j]) continue;
            s += layer.W.data[r * layer.W.cols + c] ** 2;
          }
          minNorm = Math.min(minNorm, Math.sqrt(s));
        }
        epsilon[j] = ((3 + Math.sqrt(1.5)) * Math.sqrt(si) * epsilon[j]) / Math.max(minNorm, Number.MIN_VALUE);
      }
    }
  }

  // z by least squares on Ŝ_1.
  const z = matrix(n0, count);
  const first = layers[0];
  const all = Int32Array.from({ length: n0 }, (_, k) => k);
  // The least squares' misfit ½‖(W z + b − x̂₁)_{Ŝ1}‖² (no penalty: also its objective).
  const supported = maskedLeastSquares(estimates[0], supportMask(estimates[0], o.supportTolerance).mask);
  for (let j = 0; j < count; j++) {
    const s1 = columnSupport(estimates[0], j, o.supportTolerance);
    const c = new Float64Array(first.W.rows);
    for (const r of s1) c[r] = estimates[0].data[r * count + j] - first.b[r];
    const x = leastSquaresOnSupport(first.W, first.Wt, s1, all, c).x;
    if (x === undefined) {
      phases[j].push({
        phase: 'z (least squares on Ŝ1)',
        iterations: 1,
        stopReason: 'failed',
        ...emptyHistory(),
        note: `|Ŝ1| = ${s1.length} rows cannot determine n0 = ${n0} unknowns`,
      });
      continue;
    }
    for (let k = 0; k < n0; k++) z.data[k * count + j] = x[k];
    const misfit = smoothAt(supported, first, x, j);
    phases[j].push({
      phase: 'z (least squares on Ŝ1)',
      iterations: 1,
      stopReason: 'exact',
      ...onePoint(misfit, misfit),
    });
  }
  yield 0.85;

  if (o.debias) {
    // A signal whose z could not be solved keeps its failure; the others are debiased.
    const supportsOf = (j: number) =>
      phases[j].some((p) => p.stopReason === 'failed')
        ? undefined
        : estimates.map((x) => columnSupport(x, j, o.supportTolerance));
    yield* scaled(debiasBatch(ctx, supportsOf, z, phases), 0.85, 0.1);
    if (o.refine) yield* scaled(refineSupportsBatch(ctx, z, phases, supportsOf), 0.95, 0.05);
  }
  return assembleResult(ctx, 'lbp', z, estimates, phases, o.supportTolerance);
}

/**
 * The small λ of the basis-pursuit limit leaves entries of order λ where the
 * limit has zeros. Drop entries below 1e-4 of the largest and solve W[rows, T] x_T = c
 * exactly; keep that when it fits to 1e-9 (the support was right), else undefined.
 */
function exactFitOnSupport(
  layer: PreparedLayer,
  rows: Int32Array,
  c: Float64Array,
  x: Float64Array,
): Float64Array | undefined {
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  const T = Int32Array.from({ length: x.length }, (_, q) => q).filter((q) => Math.abs(x[q]) > 1e-4 * max);
  const xT = leastSquaresOnSupport(layer.W, layer.Wt, rows, T, c).x;
  if (xT === undefined) return undefined;
  let residual = 0;
  let norm = 0;
  for (const r of rows) {
    let s = -c[r];
    for (let q = 0; q < T.length; q++) s += layer.W.data[r * layer.W.cols + T[q]] * xT[q];
    residual += s * s;
    norm += c[r] * c[r];
  }
  if (!(residual <= 1e-18 * norm)) return undefined;
  const out = new Float64Array(x.length);
  T.forEach((q, k) => (out[q] = xT[k]));
  return out;
}
