import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskySolveInPlace } from '../../../../src/core/linalg/cholesky';
import { transpose } from '../../../../src/core/linalg/dense';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { gemm } from '../../../../src/core/linalg/gemm';
import { leastSquaresOnSupport, leastSquaresOnSupports } from '../../../../src/core/pursuit/leastSquares';

/**
 * The normal equations with one refinement step, walking A's rows term by term
 * (the form leastSquaresOnSupport had before its products ran along Aᵀ): the
 * same sums in the same order, so the solutions must agree to the last bit.
 */
function rowWalk(
  a: Matrix,
  rows: Int32Array,
  cols: Int32Array,
  c: Float64Array,
  w?: Float64Array,
  linear?: Float64Array,
  ridge = 0,
): Float64Array | undefined {
  const t = cols.length;
  const g = new Float64Array(t * t);
  for (let p = 0; p < t; p++)
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (const r of rows) s += a.data[r * a.cols + cols[p]] * (w?.[r] ?? 1) * a.data[r * a.cols + cols[q]];
      g[p * t + q] = s;
    }
  for (let i = 0; i < t; i++) g[i * t + i] += ridge;
  if (!choleskyInPlace(g, t)) return undefined;
  const rhs = (res: (r: number) => number) => {
    const out = new Float64Array(t);
    for (const r of rows) {
      const v = res(r) * (w === undefined ? 1 : w[r]);
      for (let q = 0; q < t; q++) out[q] += a.data[r * a.cols + cols[q]] * v;
    }
    return out;
  };
  const x = rhs((r) => c[r]);
  if (linear !== undefined) for (let q = 0; q < t; q++) x[q] -= linear[q];
  choleskySolveInPlace(g, t, x);
  const ax = (r: number) => {
    let s = 0;
    for (let q = 0; q < t; q++) s += a.data[r * a.cols + cols[q]] * x[q];
    return s;
  };
  const corr = rhs((r) => c[r] - ax(r));
  if (linear !== undefined) for (let q = 0; q < t; q++) corr[q] -= linear[q];
  for (let q = 0; q < t; q++) corr[q] -= ridge * x[q];
  choleskySolveInPlace(g, t, corr);
  for (let q = 0; q < t; q++) x[q] += corr[q];
  return x;
}

describe('leastSquaresOnSupport', () => {
  const rng = createRng(7);
  const a = matrix(40, 15, rng.fillGaussian(new Float64Array(600)));
  const at = transpose(a);
  const c = rng.fillGaussian(new Float64Array(40));
  const cols = Int32Array.of(0, 2, 3, 5, 8, 9, 13);
  const all = Int32Array.from({ length: 40 }, (_, k) => k);
  const some = Int32Array.from({ length: 40 }, (_, k) => k).filter((k) => k % 3 !== 1);

  it('on every row (the stride-1 path) gives the row walk’s bits, with AᵀA given or not', () => {
    // Gram entries by a product kernel differ from the row walk's in rounding, so the bitwise
    // comparison takes AᵀA's own entries in the same order: the gram option with exactly them.
    const gram = matrix(15, 15);
    for (let p = 0; p < 15; p++)
      for (let q = 0; q < 15; q++) {
        let s = 0;
        for (let r = 0; r < 40; r++) s += a.data[r * 15 + p] * a.data[r * 15 + q];
        gram.data[p * 15 + q] = s;
      }
    const expected = Array.from(rowWalk(a, all, cols, c)!);
    expect(Array.from(leastSquaresOnSupport(a, at, all, cols, c, { gram }).x!)).toStrictEqual(expected);
    // Without the Gram matrix the product kernel forms it: the same solution to rounding.
    const x = leastSquaresOnSupport(a, at, all, cols, c).x!;
    x.forEach((v, q) => expect(v).toBeCloseTo(expected[q], 12));
  });

  it('on a subset of rows, with weights, a linear term and a ridge, matches the row walk', () => {
    const w = Float64Array.from({ length: 40 }, (_, k) => 0.5 + (k % 4));
    const linear = rng.fillGaussian(new Float64Array(cols.length));
    const expected = rowWalk(a, some, cols, c, w, linear, 0.3)!;
    const x = leastSquaresOnSupport(a, at, some, cols, c, { weights: w, linear, ridge: 0.3 }).x!;
    x.forEach((v, q) => expect(v).toBeCloseTo(expected[q], 12));
    // And it is the least-squares solution: the gradient of the objective vanishes.
    const grad = Array.from(linear, (l, q) => l + 0.3 * x[q]);
    for (const r of some) {
      let p = 0;
      for (let q = 0; q < cols.length; q++) p += a.data[r * 15 + cols[q]] * x[q];
      for (let q = 0; q < cols.length; q++) grad[q] -= w[r] * a.data[r * 15 + cols[q]] * (c[r] - p);
    }
    grad.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-10));
  });

  it('reads only the rows it is given', () => {
    const poisoned = Float64Array.from(c);
    for (let r = 0; r < 40; r++) if (!some.includes(r)) poisoned[r] = Number.NaN;
    const x = leastSquaresOnSupport(a, at, some, cols, poisoned).x!;
    expect(Array.from(x)).toStrictEqual(Array.from(leastSquaresOnSupport(a, at, some, cols, c).x!));
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('returns undefined on a rank-deficient support', () => {
    const dup = matrix(40, 2);
    for (let r = 0; r < 40; r++) dup.data[2 * r] = dup.data[2 * r + 1] = a.data[r * 15];
    expect(leastSquaresOnSupport(dup, transpose(dup), all, Int32Array.of(0, 1), c).x).toBeUndefined();
  });
});

describe('leastSquaresOnSupports (many right-hand sides, every row)', () => {
  const rng = createRng(11);
  // Two columns equal (4 and 9), so a column set holding both is rank deficient.
  const a = matrix(60, 12, rng.fillGaussian(new Float64Array(720)));
  for (let r = 0; r < 60; r++) a.data[r * 12 + 9] = a.data[r * 12 + 4];
  const at = transpose(a);
  const gram = gemm(at, a, matrix(12, 12));
  const all = Int32Array.from({ length: 60 }, (_, k) => k);
  const sets = [Int32Array.of(0, 2, 3, 5), Int32Array.of(4, 9), Int32Array.of(1, 4, 6, 7, 8, 10, 11), Int32Array.of()];
  const c = matrix(60, sets.length, rng.fillGaussian(new Float64Array(60 * sets.length)));
  const column = (j: number) => Float64Array.from({ length: 60 }, (_, r) => c.data[r * sets.length + j]);

  it('solves each column on its own set as the single solve does, and fails only the rank-deficient one', () => {
    const xs = leastSquaresOnSupports(a, at, gram, sets, c);
    expect(xs).toHaveLength(sets.length);
    expect(xs[1]).toBeUndefined();
    expect(leastSquaresOnSupport(a, at, all, sets[1], column(1), { gram }).x).toBeUndefined();
    expect(Array.from(xs[3]!)).toStrictEqual([]);
    for (const j of [0, 2]) {
      const single = leastSquaresOnSupport(a, at, all, sets[j], column(j), { gram }).x!;
      // Not the same bits (the kernel sums its products in blocks), the same solution to rounding.
      xs[j]!.forEach((v, q) => expect(Math.abs(v - single[q])).toBeLessThan(1e-13 * (1 + Math.abs(single[q]))));
      // And it is the least-squares solution: A[:, T]ᵀ(c − A[:, T] x) vanishes.
      const T = sets[j];
      for (let q = 0; q < T.length; q++) {
        let g = 0;
        for (let r = 0; r < 60; r++) {
          let p = 0;
          for (let u = 0; u < T.length; u++) p += a.data[r * 12 + T[u]] * xs[j]![u];
          g += a.data[r * 12 + T[q]] * (column(j)[r] - p);
        }
        expect(Math.abs(g)).toBeLessThan(1e-11);
      }
    }
  });

  it('gives each column the same bits whatever the other columns beside it', () => {
    const xs = leastSquaresOnSupports(a, at, gram, sets, c);
    const alone = leastSquaresOnSupports(a, at, gram, [sets[2]], matrix(60, 1, column(2)));
    expect(Array.from(alone[0]!)).toStrictEqual(Array.from(xs[2]!));
  });
});
