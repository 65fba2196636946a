import { matrix, type Matrix } from '../linalg/matrix';
import type { NoiseSpec } from '../model/observation';
import { activeSetLasso } from './activeSet';
import { assembleResult, type InversionContext } from './context';
import { debiasBatch } from './debias';
import { fista, type FistaProblem } from './fista';
import { scaled } from './latentPursuit';
import { leastSquaresOnSupport } from './leastSquares';
import { maskedLeastSquares } from './smooth';
import { columnSupport, supportMask } from './support';
import type { InversionResult, PhaseReport } from './types';

export interface LayeredBasisPursuitOptions {
  /**
   * λ of every layer: a fixed number, or `theorem3` — the paper's rule
   * λ_L = 2ε_{L+1}, λ_i = 2ε_{i+1} with ε_{L+1} = ℓε (ℓ: Lipschitz constant
   * of φ⁻¹ on the observed values) and ε_i = (3 + √1.5)·√s_i·ε_{i+1} / min_j ‖W_i[Ŝ_{i+1}, j]‖
   * using the support size s_i the layer's solution has. Noiseless: λ = 0.
   * @default 'theorem3'
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
}

export function checkLayeredBasisPursuitOptions(
  o: LayeredBasisPursuitOptions = {},
): Required<LayeredBasisPursuitOptions> {
  const r = {
    lambda: o.lambda ?? ('theorem3' as const),
    supportTolerance: o.supportTolerance ?? 1e-6,
    exact: o.exact ?? true,
    maxIterations: o.maxIterations ?? 5000,
    tolerance: o.tolerance ?? 1e-12,
    debias: o.debias ?? true,
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
 * Latent-Pursuit uses: nonnegativity and the off-support rows.
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

  // ε_{L+1} = ℓ·ε per signal (ℓ = max over known pixels of (φ⁻¹)′(y) = 1/φ′(φ⁻¹(y))).
  const epsilon = new Float64Array(count);
  const n = obs.y.rows;
  const target = matrix(n, count);
  for (let j = 0; j < count; j++) {
    const rows = ctx.knownRows(j);
    let lip = 0;
    for (const r of rows) {
      const t = ctx.inverse(obs.y.data[r * count + j]);
      target.data[r * count + j] = t;
      lip = Math.max(lip, 1 / Math.max(ctx.phi.derivative(t), Number.MIN_VALUE));
    }
    epsilon[j] = lip * noiseNorm(obs.noise, rows.length);
  }
  const lambdaFor = () => Float64Array.from(epsilon, (e) => (o.lambda === 'theorem3' ? 2 * e : o.lambda));

  let rowMask: Uint8Array | undefined = obs.known;
  for (let i = L; i >= 1; i--) {
    const layer = layers[i];
    const lambda = lambdaFor();
    const layerTarget = i === L ? target : estimates[i];
    const mask = rowMask;
    const problem: FistaProblem = {
      W: layer.W,
      Wt: layer.Wt,
      bias: layer.b,
      smooth: maskedLeastSquares(layerTarget, mask),
      prox: 'l1',
      lambda,
      lipschitz: layer.lambdaMax,
      exactOnSupport: o.exact
        ? (j, guess, iterate) => {
            const rows: number[] = [];
            const c = new Float64Array(layer.W.rows);
            for (let r = 0; r < layer.W.rows; r++) {
              if (mask !== undefined && !mask[r * count + j]) continue;
              rows.push(r);
              c[r] = layerTarget.data[r * count + j] - layer.b[r];
            }
            const allRows = rows.length === layer.W.rows;
            return activeSetLasso({
              W: layer.W,
              Wt: layer.Wt,
              gram: allRows ? layer.gram : undefined,
              rows: Int32Array.from(rows),
              target: c,
              lambda: lambda[j],
              nonnegative: false,
              guess,
              signsFrom: iterate,
            });
          }
        : undefined,
    };
    const reports = yield* scaled(
      fista(problem, estimates[i - 1], {
        phase: `layer ${i} (lasso, FISTA${o.exact ? ' + exact on support' : ''})`,
        maxIterations: o.maxIterations,
        tolerance: o.tolerance,
        exactEvery: o.exact ? 10 : 0,
      }),
      (L - i) * share,
      share,
    );
    reports.forEach((r, j) => phases[j].push(r));
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
        history: [],
        note: `|Ŝ1| = ${s1.length} rows cannot determine n0 = ${n0} unknowns`,
      });
      continue;
    }
    for (let k = 0; k < n0; k++) z.data[k * count + j] = x[k];
    phases[j].push({ phase: 'z (least squares on Ŝ1)', iterations: 1, stopReason: 'exact', history: [] });
  }
  yield 0.85;

  if (o.debias) {
    // A signal whose z could not be solved keeps its failure; the others are debiased.
    const supportsOf = (j: number) =>
      phases[j].some((p) => p.stopReason === 'failed')
        ? undefined
        : estimates.map((x) => columnSupport(x, j, o.supportTolerance));
    yield* scaled(debiasBatch(ctx, supportsOf, z, phases), 0.85, 0.15);
  }
  return assembleResult(ctx, 'lbp', z, estimates, phases, o.supportTolerance);
}
