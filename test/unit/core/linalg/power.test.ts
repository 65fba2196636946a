import { describe, expect, it } from 'vitest';
import { transpose } from '../../../../src/core/linalg/dense';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { powerIterationGram } from '../../../../src/core/linalg/power';
import { createRng } from '../../../../src/core/linalg/rng';

const random = (seed: number, rows: number, cols: number): Matrix =>
  matrix(rows, cols, createRng(seed).fillGaussian(new Float64Array(rows * cols)));

/** AᵀA of the given rows of A (all rows by default), n × n row-major. */
function gram(a: Matrix, rows?: ArrayLike<number>): Float64Array {
  const n = a.cols;
  const use = rows ?? Array.from({ length: a.rows }, (_, i) => i);
  const g = new Float64Array(n * n);
  for (const r of Array.from(use)) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] += a.data[r * n + i] * a.data[r * n + j];
  }
  return g;
}

/** All eigenvalues of a symmetric n × n matrix by cyclic Jacobi rotations (an independent oracle). */
function jacobiEigenvalues(sym: Float64Array, n: number): number[] {
  const a = Float64Array.from(sym);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J on rows/columns p and q.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => y - x);
}

describe('jacobiEigenvalues (the test oracle)', () => {
  it('finds the eigenvalues of a hand-made symmetric matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1; trace and determinant of a 3×3 are preserved.
    const [l1, l2] = jacobiEigenvalues(Float64Array.from([2, 1, 1, 2]), 2);
    expect(l1).toBeCloseTo(3, 14);
    expect(l2).toBeCloseTo(1, 14);
    const g = gram(random(1, 5, 3));
    const ev = jacobiEigenvalues(g, 3);
    expect(ev[0] + ev[1] + ev[2]).toBeCloseTo(g[0] + g[4] + g[8], 12);
  });
});

describe('powerIterationGram', () => {
  it('finds λ_max(AᵀA) = 9 for A = diag(3, 2, 1)', () => {
    const a = matrix(3, 3, Float64Array.from([3, 0, 0, 0, 2, 0, 0, 0, 1]));
    for (const seed of [0, 1, 7]) {
      const res = powerIterationGram(a, transpose(a), { seed });
      expect(Math.abs(res.lambda - 9) / 9).toBeLessThan(1e-9);
      expect(res.lambda).toBeLessThanOrEqual(9 * (1 + 1e-14));
      expect(res.change).toBeLessThan(1e-10);
      expect(res.iterations).toBeLessThan(500);
    }
  });

  it('matches an independent eigenvalue computation on a random 40×20 matrix within 1e-8', () => {
    const a = random(41, 40, 20);
    const ev = jacobiEigenvalues(gram(a), 20);
    const lambdaMax = ev[0];
    const res = powerIterationGram(a, transpose(a));
    expect(Math.abs(res.lambda - lambdaMax) / lambdaMax).toBeLessThan(1e-8);
    // From below (up to rounding): ‖AᵀA v‖ ≤ λ_max for a unit v.
    expect(res.lambda).toBeLessThanOrEqual(lambdaMax * (1 + 1e-13));
    expect(res.iterations).toBeLessThan(500);
    expect(res.change).toBeLessThan(1e-10);
    // A wide matrix (AᵀA singular): λ_max is still the top eigenvalue.
    const wide = random(42, 6, 15);
    const evWide = jacobiEigenvalues(gram(wide), 15);
    const resWide = powerIterationGram(wide, transpose(wide));
    expect(Math.abs(resWide.lambda - evWide[0]) / evWide[0]).toBeLessThan(1e-8);
  });

  it('is reproducible for a seed and agrees across seeds', () => {
    const a = random(43, 30, 12);
    const at = transpose(a);
    const r1 = powerIterationGram(a, at, { seed: 5 });
    const r2 = powerIterationGram(a, at, { seed: 5 });
    expect(r2).toEqual(r1);
    const r3 = powerIterationGram(a, at, { seed: 6 });
    expect(Math.abs(r3.lambda - r1.lambda) / r1.lambda).toBeLessThan(1e-8);
  });

  it('stops after maxIterations, with an estimate below the converged one', () => {
    const a = random(44, 40, 20);
    const at = transpose(a);
    const converged = powerIterationGram(a, at);
    const early = powerIterationGram(a, at, { maxIterations: 2 });
    expect(early.iterations).toBe(2);
    expect(early.change).toBeGreaterThan(1e-10);
    expect(early.lambda).toBeLessThan(converged.lambda);
    // A loose tolerance stops sooner.
    const loose = powerIterationGram(a, at, { tolerance: 1e-3 });
    expect(loose.change).toBeLessThan(1e-3);
    expect(loose.iterations).toBeLessThan(converged.iterations);
  });

  it('restricts A to a leading block of rows', () => {
    const a = random(45, 40, 20);
    const rows = Int32Array.from({ length: 25 }, (_, i) => i);
    const lambdaMax = jacobiEigenvalues(gram(a, rows), 20)[0];
    const res = powerIterationGram(a, transpose(a), { rows });
    expect(Math.abs(res.lambda - lambdaMax) / lambdaMax).toBeLessThan(1e-8);
    // And it differs from the whole matrix's value.
    const all = jacobiEigenvalues(gram(a), 20)[0];
    expect(Math.abs(all - lambdaMax) / all).toBeGreaterThan(1e-3);
  });

  // Regression: A v over a row subset has one entry per selected row; Aᵀ must read it by
  // position, not by row number (it once read av[rows[p]], wrong for any other subset than 0…k−1).
  it('restricts A to an arbitrary (unsorted) row subset', () => {
    const a = random(46, 40, 20);
    const rows = Int32Array.from([39, 3, 17, 8, 22, 30, 1, 11, 25, 5, 14, 36, 0, 28, 19]);
    const lambdaMax = jacobiEigenvalues(gram(a, rows), 20)[0];
    const res = powerIterationGram(a, transpose(a), { rows });
    expect(Math.abs(res.lambda - lambdaMax) / lambdaMax).toBeLessThan(1e-8);
  });

  it('restricts A to a permutation of its leading rows', () => {
    // All indices < |rows|, so nothing throws: the answer is silently wrong.
    const a = random(47, 40, 20);
    const rows = Int32Array.from([5, 0, 9, 2, 7, 1, 8, 3, 6, 4]);
    const lambdaMax = jacobiEigenvalues(gram(a, rows), 20)[0];
    const res = powerIterationGram(a, transpose(a), { rows });
    expect(Math.abs(res.lambda - lambdaMax) / lambdaMax).toBeLessThan(1e-8);
  });

  it('returns λ = 0 for zero-size input and for a zero matrix', () => {
    expect(powerIterationGram(matrix(0, 5), matrix(5, 0))).toEqual({ lambda: 0, iterations: 0, change: 0 });
    expect(powerIterationGram(matrix(4, 0), matrix(0, 4))).toEqual({ lambda: 0, iterations: 0, change: 0 });
    const a = random(48, 4, 3);
    expect(powerIterationGram(a, transpose(a), { rows: new Int32Array(0) })).toEqual({
      lambda: 0,
      iterations: 0,
      change: 0,
    });
    const zero = powerIterationGram(matrix(4, 3), matrix(3, 4));
    expect(zero.lambda).toBe(0);
    expect(zero.iterations).toBe(1);
  });
});
