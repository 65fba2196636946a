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

/** CGLS iterations of the warm start where some pixels are hidden or saturated (see leastSquaresStart). */
const CGLS_ITERATIONS = 50;

/**
 * A starting point for the last layer's iterations: where the last layer is
 * tall (at least as many rows as columns) and signal j has at least as many
 * equation pixels (known, not saturated) as columns, the unconstrained least
 * squares x = argmin ‖(φ⁻¹(y) − b − W x)_R‖ on its equation rows R — clipped at
 * 0 for a nonnegative problem. With every pixel an equation it is solved
 * exactly, by the Cholesky factor of WᵀW (once per layer); otherwise by
 * CGLS_ITERATIONS of batched CGLS (conjugate gradients on the normal
 * equations, every signal with its own rows), near enough for the exact
 * step's support guess. Without noise it is the true x_L, so the first exact
 * step reads the right support from it; with noise it is the estimate the
 * iterations would otherwise walk to from 0. The answer still comes from the
 * iterations' own rules (KKT on the φ-domain problem); this only shortens the
 * walk. Signals that do not qualify keep their column of `x0`.
 *
 * @returns how many signals were started this way.
 */
export function leastSquaresStart(ctx: InversionContext, x0: Matrix, nonnegative: boolean): number {
  const out = ctx.layers[ctx.layers.length - 1];
  const n = out.W.cols;
  const m = out.W.rows;
  if (m < n) return 0;
  const whole: number[] = [];
  const partial: number[] = [];
  for (let j = 0; j < ctx.count; j++) {
    const rows = ctx.equationRows(j).length;
    if (rows === m) whole.push(j);
    else if (rows >= n) partial.push(j);
  }
  const factor = whole.length > 0 ? gramFactor(out) : null;
  const started = [...(factor === null ? [] : whole), ...partial];
  if (started.length === 0) return 0;
  const k = started.length;
  // Right-hand sides c = φ⁻¹(y) − b on each signal's equation rows (0 elsewhere), and the row masks.
  const c = matrix(m, k);
  const rowMask = new Uint8Array(m * k);
  started.forEach((j, q) => {
    const { target, equations } = outputSystem(ctx, j);
    for (const r of equations) {
      c.data[r * k + q] = target[r];
      rowMask[r * k + q] = 1;
    }
  });
  const firstPartial = factor === null ? 0 : whole.length;
  const x = factor === null ? matrix(n, k) : choleskyColumns(out, factor, c, firstPartial);
  if (partial.length > 0) cgls(out, c, rowMask, x, firstPartial);
  started.forEach((j, q) => {
    for (let i = 0; i < n; i++) {
      const v = x.data[i * k + q];
      x0.data[i * ctx.count + j] = nonnegative ? Math.max(v, 0) : v;
    }
  });
  return k;
}

/** x[:, q] = (WᵀW)⁻¹Wᵀc[:, q] for the first `columns` columns (the others stay 0). */
function choleskyColumns(layer: PreparedLayer, factor: Float64Array, c: Matrix, columns: number): Matrix {
  const n = layer.W.cols;
  const k = c.cols;
  const rhs = gemm(layer.Wt, c, matrix(n, k));
  const x = matrix(n, k);
  const col = new Float64Array(n);
  for (let q = 0; q < columns; q++) {
    for (let i = 0; i < n; i++) col[i] = rhs.data[i * k + q];
    choleskySolveInPlace(factor, n, col);
    for (let i = 0; i < n; i++) x.data[i * k + q] = col[i];
  }
  return x;
}

/**
 * CGLS on the columns `first`, `first` + 1, … of x for min ‖M_q(c_q − W x_q)‖ (M_q: the column's row
 * mask), all columns at once through the product kernel; each column stops
 * when its normal-equation residual falls to 1e-12 of where it began.
 */
function cgls(layer: PreparedLayer, c: Matrix, rowMask: Uint8Array, x: Matrix, first: number): void {
  const { W, Wt } = layer;
  const m = W.rows;
  const n = W.cols;
  const k = c.cols;
  const r = matrix(m, k, Float64Array.from(c.data));
  const s = gemm(Wt, r, matrix(n, k));
  const p = matrix(n, k, Float64Array.from(s.data));
  const q = matrix(m, k);
  const gamma = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let col = first; col < k; col++) gamma[col] += s.data[i * k + col] ** 2;
  const stop = Float64Array.from(gamma, (g) => 1e-24 * g);
  const qq = new Float64Array(k);
  const alpha = new Float64Array(k);
  for (let it = 0; it < CGLS_ITERATIONS; it++) {
    gemm(W, p, q);
    qq.fill(0);
    for (let i = 0; i < m; i++)
      for (let col = first; col < k; col++) {
        const at = i * k + col;
        if (!rowMask[at]) q.data[at] = 0;
        qq[col] += q.data[at] ** 2;
      }
    for (let col = 0; col < k; col++)
      alpha[col] = col >= first && gamma[col] > stop[col] && qq[col] > 0 ? gamma[col] / qq[col] : 0;
    for (let i = 0; i < n; i++)
      for (let col = first; col < k; col++) x.data[i * k + col] += alpha[col] * p.data[i * k + col];
    for (let i = 0; i < m; i++)
      for (let col = first; col < k; col++) r.data[i * k + col] -= alpha[col] * q.data[i * k + col];
    gemm(Wt, r, s);
    for (let col = first; col < k; col++) {
      if (alpha[col] === 0) continue;
      let next = 0;
      for (let i = 0; i < n; i++) next += s.data[i * k + col] ** 2;
      const beta = next / gamma[col];
      gamma[col] = next;
      for (let i = 0; i < n; i++) p.data[i * k + col] = s.data[i * k + col] + beta * p.data[i * k + col];
    }
  }
}
