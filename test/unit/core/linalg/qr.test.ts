import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskySolveInPlace } from '../../../../src/core/linalg/cholesky';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { EPS, defaultRankTolerance, numericalRank, pivotedQr, qrLeastSquares } from '../../../../src/core/linalg/qr';
import { createRng, type Rng } from '../../../../src/core/linalg/rng';

const m = (rows: number, cols: number, values: number[]) => matrix(rows, cols, Float64Array.from(values));
const random = (rng: Rng, rows: number, cols: number): Matrix =>
  matrix(rows, cols, rng.fillGaussian(new Float64Array(rows * cols)));
const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
const diff = (x: ArrayLike<number>, y: ArrayLike<number>) => Float64Array.from(x, (v, i) => v - y[i]);

function mulVec(a: Matrix, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[i] += a.data[i * a.cols + j] * x[j];
  return out;
}

function mulTVec(a: Matrix, r: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j] += a.data[i * a.cols + j] * r[i];
  return out;
}

/** Sets column `dst` of `a` to Σ coef·column(src). */
function combineColumns(a: Matrix, dst: number, terms: [number, number][]): void {
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (const [coef, src] of terms) s += coef * a.data[i * a.cols + src];
    a.data[i * a.cols + dst] = s;
  }
}

/** Applies Q = H₀ H₁ … H_{k−1} (from the packed factors) to the m-vector v, in place. */
function applyQ(f: ReturnType<typeof pivotedQr>, v: Float64Array): Float64Array {
  const { qr, tau, m: rows, n } = f;
  for (let k = Math.min(rows, n) - 1; k >= 0; k--) {
    let s = v[k];
    for (let i = k + 1; i < rows; i++) s += qr[i * n + k] * v[i];
    s *= tau[k];
    v[k] -= s;
    for (let i = k + 1; i < rows; i++) v[i] -= s * qr[i * n + k];
  }
  return v;
}

/** 12×8 Hilbert-like matrix A_ij = 1/(i + j + 1): condition number above 1e8. */
function hilbertLike(rows: number, cols: number): Matrix {
  const a = matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a.data[i * cols + j] = 1 / (i + j + 1);
  return a;
}

describe('pivotedQr', () => {
  it('factors A P = Q R with orthogonal Q, upper-triangular R and non-increasing |R_kk|', () => {
    const rng = createRng(31);
    for (const [rows, cols] of [
      [9, 5],
      [5, 5],
      [3, 7],
      [1, 4],
      [6, 1],
    ]) {
      const a = random(rng, rows, cols);
      const before = Float64Array.from(a.data);
      const f = pivotedQr(a);
      expect(Array.from(a.data)).toEqual(Array.from(before)); // works on a copy
      expect(f.m).toBe(rows);
      expect(f.n).toBe(cols);
      expect(f.tau.length).toBe(Math.min(rows, cols));
      expect(Array.from(f.perm).sort((x, y) => x - y)).toEqual(Array.from({ length: cols }, (_, j) => j));
      const k = Math.min(rows, cols);
      for (let d = 1; d < k; d++) {
        expect(Math.abs(f.qr[d * cols + d])).toBeLessThanOrEqual(Math.abs(f.qr[(d - 1) * cols + d - 1]) * (1 + 1e-14));
      }
      // Column j of R (zero below the diagonal), mapped by Q, is column perm[j] of A.
      const scale = norm(a.data);
      for (let j = 0; j < cols; j++) {
        const r = new Float64Array(rows);
        for (let i = 0; i <= Math.min(j, rows - 1); i++) r[i] = f.qr[i * cols + j];
        const qr = applyQ(f, r);
        for (let i = 0; i < rows; i++) {
          expect(Math.abs(qr[i] - a.data[i * cols + f.perm[j]])).toBeLessThan(1e-14 * scale);
        }
      }
      // Q is orthogonal: it maps the unit vectors to orthonormal columns.
      const q = Array.from({ length: rows }, (_, i) =>
        applyQ(
          f,
          Float64Array.from({ length: rows }, (_, t) => +(t === i)),
        ),
      );
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < rows; j++) {
          let s = 0;
          for (let t = 0; t < rows; t++) s += q[i][t] * q[j][t];
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-14);
        }
      }
    }
  });

  it('pivots the column of largest norm first', () => {
    const f = pivotedQr(m(3, 3, [1, 0, 0, 0, 5, 0, 0, 0, 2]));
    expect(Array.from(f.perm)).toEqual([1, 2, 0]);
    expect(Math.abs(f.qr[0])).toBe(5);
    expect(Math.abs(f.qr[4])).toBe(2);
    expect(Math.abs(f.qr[8])).toBe(1);
  });
});

describe('qrLeastSquares', () => {
  it('fits a line to four points like the normal equations do', () => {
    // y ≈ c₀ + c₁ t at t = 0…3, y = 1, 3, 4, 4. Normal equations [4 6; 6 14] c = [12; 23] → c = (1.5, 1).
    const a = m(4, 2, [1, 0, 1, 1, 1, 2, 1, 3]);
    const b = [1, 3, 4, 4];
    const { x, rank, residualNorm, tolerance } = qrLeastSquares(a, b);
    expect(rank).toBe(2);
    expect(tolerance).toBe(defaultRankTolerance(4, 2));
    expect(x[0]).toBeCloseTo(1.5, 14);
    expect(x[1]).toBeCloseTo(1, 14);
    // Residuals ∓0.5 → ‖r‖ = 1.
    expect(residualNorm).toBeCloseTo(1, 14);
    // Optimality: Aᵀ (A x − b) = 0.
    const g = mulTVec(a, diff(mulVec(a, x), b));
    expect(norm(g)).toBeLessThan(1e-14);
  });

  it('solves a square nonsingular system exactly', () => {
    // det = −1; x = (1, 2, 3).
    const a = m(3, 3, [2, 1, 1, 1, 3, 2, 1, 0, 0]);
    const { x, rank, residualNorm } = qrLeastSquares(a, [7, 13, 1]);
    expect(rank).toBe(3);
    expect(norm(diff(x, [1, 2, 3]))).toBeLessThan(1e-14);
    expect(residualNorm).toBeLessThan(1e-14);
  });

  it('reports residualNorm = ‖A x − b‖ and satisfies the normal equations on a random overdetermined system', () => {
    const rng = createRng(32);
    const a = random(rng, 40, 9);
    const b = rng.fillGaussian(new Float64Array(40));
    const res = qrLeastSquares(a, b);
    expect(res.rank).toBe(9);
    const r = diff(mulVec(a, res.x), b);
    expect(Math.abs(res.residualNorm - norm(r))).toBeLessThan(1e-12 * norm(r));
    // A random b is not in range(A) (9 of 40 dimensions): a substantial residual.
    expect(res.residualNorm).toBeGreaterThan(0.5 * norm(b));
    expect(norm(mulTVec(a, r))).toBeLessThan(1e-12 * norm(b) * norm(a.data));
    // No perturbation of x lowers the residual (it is the minimiser).
    for (let t = 0; t < 5; t++) {
      const x2 = Float64Array.from(res.x, (v) => v + 1e-3 * rng.gaussian());
      expect(norm(diff(mulVec(a, x2), b))).toBeGreaterThan(res.residualNorm);
    }
  });

  it('recovers x from an ill-conditioned (cond > 1e8) 12×8 system where the normal equations fail', () => {
    const a = hilbertLike(12, 8);
    const xTrue = Float64Array.from({ length: 8 }, (_, j) => (j % 2 === 0 ? 1 : -1) * (1 + j / 4));
    const b = mulVec(a, xTrue);
    // cond(A) = cond(R) ≥ max|R_kk| / min|R_kk|.
    const f = pivotedQr(a);
    const diag = Array.from({ length: 8 }, (_, k) => Math.abs(f.qr[k * 8 + k]));
    const condLowerBound = Math.max(...diag) / Math.min(...diag);
    expect(condLowerBound).toBeGreaterThan(1e8);

    const res = qrLeastSquares(a, b);
    expect(res.rank).toBe(8);
    // Backward stable QR: forward error ≲ cond · ε ≈ 1e-7.
    const qrError = norm(diff(res.x, xTrue)) / norm(xTrue);
    expect(qrError).toBeLessThan(1e-6);
    // The system is consistent: the reported residual is at rounding level and honest.
    const r = norm(diff(mulVec(a, res.x), b));
    // (Both at rounding level, so compared in absolute terms: summation order differs.)
    expect(res.residualNorm).toBeLessThan(1e-14 * norm(b));
    expect(r).toBeLessThan(1e-14 * norm(b));
    expect(Math.abs(res.residualNorm - r)).toBeLessThan(1e-15 * norm(b));

    // The normal equations square the condition number (> 1e16): Cholesky breaks down or x is far off.
    const g = new Float64Array(64);
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) for (let p = 0; p < 12; p++) g[i * 8 + j] += a.data[p * 8 + i] * a.data[p * 8 + j];
    const normalError = choleskyInPlace(g, 8)
      ? norm(diff(choleskySolveInPlace(g, 8, mulTVec(a, b)), xTrue)) / norm(xTrue)
      : Infinity;
    expect(normalError).toBeGreaterThan(1e3 * qrError);
  });

  it('returns the basic solution (zero on a dropped column) with the minimal residual for rank-deficient A', () => {
    const rng = createRng(33);
    const a = random(rng, 10, 6);
    combineColumns(a, 5, [
      [1, 1],
      [2, 2],
    ]);
    const b = rng.fillGaussian(new Float64Array(10));
    const res = qrLeastSquares(a, b);
    expect(res.rank).toBe(5);
    // Exactly one column was dropped and got exactly zero.
    expect(Array.from(res.x).filter((v) => v === 0)).toHaveLength(1);
    // The same residual as the full-rank problem on columns 0…4 (column 5 adds nothing to the range).
    const a5 = matrix(10, 5);
    for (let i = 0; i < 10; i++) for (let j = 0; j < 5; j++) a5.data[i * 5 + j] = a.data[i * 6 + j];
    const full = qrLeastSquares(a5, b);
    expect(full.rank).toBe(5);
    expect(Math.abs(res.residualNorm - full.residualNorm)).toBeLessThan(1e-12 * full.residualNorm);
    expect(norm(diff(mulVec(a, res.x), mulVec(a5, full.x)))).toBeLessThan(1e-12 * norm(b));
    expect(Math.abs(res.residualNorm - norm(diff(mulVec(a, res.x), b)))).toBeLessThan(1e-12 * res.residualNorm);
  });

  it('gives x = 0 and ‖b‖ for a zero matrix, and handles a wide system', () => {
    const zero = qrLeastSquares(matrix(3, 2), [3, 0, 4]);
    expect(zero.rank).toBe(0);
    expect(Array.from(zero.x)).toEqual([0, 0]);
    expect(zero.residualNorm).toBe(5);
    // Wide, full row rank: an exact solution exists.
    const rng = createRng(34);
    const wide = random(rng, 3, 7);
    const b = rng.fillGaussian(new Float64Array(3));
    const res = qrLeastSquares(wide, b);
    expect(res.rank).toBe(3);
    expect(res.residualNorm).toBeLessThan(1e-13 * norm(b));
    // Basic solution: at most 3 non-zeros.
    expect(Array.from(res.x).filter((v) => v !== 0).length).toBeLessThanOrEqual(3);
  });

  it('refuses b of the wrong length', () => {
    expect(() => qrLeastSquares(matrix(4, 2), [1, 2, 3])).toThrow(RangeError);
    expect(() => qrLeastSquares(matrix(4, 2), [1, 2, 3])).toThrow('b has 3 entries, A has 4 rows');
    expect(() => qrLeastSquares(matrix(4, 2), new Float64Array(5))).toThrow('b has 5 entries');
  });
});

describe('numericalRank', () => {
  it('finds full rank of random matrices of every shape', () => {
    const rng = createRng(35);
    expect(numericalRank(random(rng, 10, 6))).toBe(6);
    expect(numericalRank(random(rng, 6, 6))).toBe(6);
    expect(numericalRank(random(rng, 3, 7))).toBe(3);
    expect(numericalRank(random(rng, 1, 1))).toBe(1);
    expect(numericalRank(matrix(0, 0))).toBe(0);
    expect(numericalRank(matrix(0, 4))).toBe(0);
  });

  it('detects a dependent column: 10×6 with col5 = col1 + 2·col2 has rank 5', () => {
    const a = random(createRng(36), 10, 6);
    combineColumns(a, 5, [
      [1, 1],
      [2, 2],
    ]);
    expect(numericalRank(a)).toBe(5);
    // Two more dependencies: col2 = 0.5 col3, col0 = col3 − col4 (col5 = col1 + 2·col2 rebuilt): rank 3.
    combineColumns(a, 2, [[0.5, 3]]);
    combineColumns(a, 0, [
      [1, 3],
      [-1, 4],
    ]);
    combineColumns(a, 5, [
      [1, 1],
      [2, 2],
    ]);
    expect(numericalRank(a)).toBe(3);
  });

  it('finds rank 2 for a sum of two outer products, 0 for a zero matrix, and row rank of wide matrices', () => {
    const rng = createRng(37);
    const [u1, v1, u2, v2] = [9, 7, 9, 7].map((n) => rng.fillGaussian(new Float64Array(n)));
    const a = matrix(9, 7);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 7; j++) a.data[i * 7 + j] = u1[i] * v1[j] + u2[i] * v2[j];
    expect(numericalRank(a)).toBe(2);
    expect(numericalRank(matrix(5, 4))).toBe(0);
    expect(numericalRank(matrix(3, 7))).toBe(0);
    // 3×7 with row 2 = row 0 − row 1: rank 2.
    const wide = random(rng, 3, 7);
    for (let j = 0; j < 7; j++) wide.data[14 + j] = wide.data[j] - wide.data[7 + j];
    expect(numericalRank(wide)).toBe(2);
  });

  it('counts |R_kk| above tolerance · |R₁₁|', () => {
    const d = m(3, 3, [1, 0, 0, 0, 1e-3, 0, 0, 0, 1e-9]);
    expect(numericalRank(d)).toBe(3);
    expect(numericalRank(d, 1e-6)).toBe(2);
    expect(numericalRank(d, 1e-2)).toBe(1);
    // Strictly above: |R_22| / |R_11| = 1e-3 exactly is not counted at tolerance 1e-3.
    expect(numericalRank(d, 1e-3)).toBe(1);
    expect(qrLeastSquares(d, [1, 1, 1], 1e-6).rank).toBe(2);
    expect(Array.from(qrLeastSquares(d, [1, 1, 1], 1e-6).x)).toEqual([1, 1000, 0]);
  });
});

describe('defaultRankTolerance', () => {
  it('is max(m, n) · ε', () => {
    expect(EPS).toBe(Number.EPSILON);
    expect(defaultRankTolerance(10, 6)).toBe(10 * Number.EPSILON);
    expect(defaultRankTolerance(3, 7)).toBe(7 * Number.EPSILON);
    expect(defaultRankTolerance(0, 0)).toBe(0);
  });
});
