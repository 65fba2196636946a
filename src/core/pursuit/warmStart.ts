import { choleskyInPlace, choleskySolveInPlace } from '../linalg/cholesky';
import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { outputSystem, type InversionContext } from './context';
import type { PreparedLayer } from './prepared';

const factors = new WeakMap<PreparedLayer, Float64Array | null>();

/** The Cholesky factor of a layer's whole Gram matrix WᵀW, once per layer; null where it is not positive definite (a wide layer). */
function gramFactor(layer: PreparedLayer): Float64Array | null {
  let f = factors.get(layer);
  if (f === undefined) {
    const n = layer.gram.cols;
    const g = Float64Array.from(layer.gram.data);
    f = layer.W.rows >= n && choleskyInPlace(g, n) ? g : null;
    factors.set(layer, f);
  }
  return f;
}

/**
 * A starting point for the last layer's iterations: where the last layer is
 * injective (at least as many rows as columns, WᵀW positive definite) and
 * every pixel of signal j is an equation (none hidden, none saturated), the
 * unconstrained least squares x = (WᵀW)⁻¹Wᵀ(φ⁻¹(y) − b) — clipped at 0 for a
 * nonnegative problem. Without noise it is the true x_L up to rounding, so the
 * first exact step reads the right support from it; with noise it is the
 * unbiased estimate the iterations would have to walk to from 0. The answer
 * still comes from the iterations' own rules (KKT on the φ-domain problem);
 * this only shortens the walk. Signals that do not qualify keep their column of `x0`.
 *
 * @returns how many signals were started this way.
 */
export function leastSquaresStart(ctx: InversionContext, x0: Matrix, nonnegative: boolean): number {
  const out = ctx.layers[ctx.layers.length - 1];
  const n = out.W.cols;
  const m = out.W.rows;
  const factor = gramFactor(out);
  if (factor === null) return 0;
  const signals: number[] = [];
  for (let j = 0; j < ctx.count; j++) if (ctx.equationRows(j).length === m) signals.push(j);
  const k = signals.length;
  if (k === 0) return 0;
  const c = matrix(m, k);
  signals.forEach((j, q) => {
    const { target } = outputSystem(ctx, j);
    for (let r = 0; r < m; r++) c.data[r * k + q] = target[r];
  });
  const rhs = gemm(out.Wt, c, matrix(n, k));
  const col = new Float64Array(n);
  signals.forEach((j, q) => {
    for (let i = 0; i < n; i++) col[i] = rhs.data[i * k + q];
    choleskySolveInPlace(factor, n, col);
    for (let i = 0; i < n; i++) x0.data[i * ctx.count + j] = nonnegative ? Math.max(col[i], 0) : col[i];
  });
  return k;
}
