import { describe, expect, it } from 'vitest';
import { blockedKernel } from '../../../../src/core/linalg/blockedKernel';
import {
  choleskyDiagonalRatio,
  choleskyInPlace,
  choleskyLoop,
  choleskySolveInPlace,
} from '../../../../src/core/linalg/cholesky';
import { productKernel, useProductKernel } from '../../../../src/core/linalg/gemm';
import { createRng } from '../../../../src/core/linalg/rng';

/** Hand-made factor L = [[2,0,0],[1,3,0],[-1,2,1]] and G = L Lᵀ (all exact in float64). */
const L = [2, 0, 0, 1, 3, 0, -1, 2, 1];
const G = [4, 2, -2, 2, 10, 5, -2, 5, 6];

/** G x for a row-major n × n G. */
function mulVec(g: ArrayLike<number>, n: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += g[i * n + j] * x[j];
    out[i] = s;
  }
  return out;
}

const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

/** G = AᵀA + I for a random m × n A: symmetric positive definite. */
function randomSpd(seed: number, m: number, n: number): Float64Array {
  const rng = createRng(seed);
  const a = rng.fillGaussian(new Float64Array(m * n));
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let p = 0; p < m; p++) s += a[p * n + i] * a[p * n + j];
      g[i * n + j] = s;
    }
  }
  return g;
}

describe('choleskyInPlace', () => {
  it('recovers a hand-made factor exactly and leaves the strict upper triangle as it was', () => {
    const g = Float64Array.from(G);
    expect(choleskyInPlace(g, 3)).toBe(true);
    // Lower triangle (with diagonal) = L, exactly: every intermediate is an integer.
    for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) expect(g[i * 3 + j]).toBe(L[i * 3 + j]);
    // Strict upper triangle untouched: still G's entries.
    expect([g[1], g[2], g[5]]).toEqual([2, -2, 5]);
  });

  it('factors a 1×1 matrix and accepts n = 0', () => {
    const g = Float64Array.from([9]);
    expect(choleskyInPlace(g, 1)).toBe(true);
    expect(g[0]).toBe(3);
    expect(choleskyInPlace(new Float64Array(0), 0)).toBe(true);
  });

  it('returns false for an indefinite matrix', () => {
    // Eigenvalues 3 and −1.
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
    // Negative first pivot.
    expect(choleskyInPlace(Float64Array.from([-1, 0, 0, 1]), 2)).toBe(false);
    // Negative definite.
    expect(choleskyInPlace(Float64Array.from([-4, 1, 1, -3]), 2)).toBe(false);
  });

  it('returns false for a singular positive semi-definite matrix (a rank-1 Gram)', () => {
    // G = v vᵀ with v = (1, 2, 3): the second pivot is exactly 4 − 2² = 0.
    const v = [1, 2, 3];
    const g = Float64Array.from({ length: 9 }, (_, k) => v[Math.floor(k / 3)] * v[k % 3]);
    expect(choleskyInPlace(g, 3)).toBe(false);
    // A zero matrix too.
    expect(choleskyInPlace(new Float64Array(4), 2)).toBe(false);
  });

  it('returns false for a NaN pivot rather than producing NaNs silently', () => {
    expect(choleskyInPlace(Float64Array.from([Number.NaN, 0, 0, 1]), 2)).toBe(false);
  });

  it('reconstructs a random 50×50 SPD matrix: L Lᵀ = G', () => {
    const n = 50;
    const g = randomSpd(21, 60, n);
    const l = Float64Array.from(g);
    expect(choleskyInPlace(l, n)).toBe(true);
    let gNorm = 0;
    for (const v of g) gNorm = Math.max(gNorm, Math.abs(v));
    for (let i = 0; i < n; i++) {
      expect(l[i * n + i]).toBeGreaterThan(0);
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let p = 0; p <= j; p++) s += l[i * n + p] * l[j * n + p];
        expect(Math.abs(s - g[i * n + j])).toBeLessThan(1e-13 * gNorm);
      }
    }
  });
});

/** The plain one-row-at-a-time factorisation: the unrolled one must give the same bits. */
function referenceCholesky(g: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = g[j * n + j];
    for (let p = 0; p < j; p++) d -= g[j * n + p] ** 2;
    g[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = g[i * n + j];
      for (let p = 0; p < j; p++) s -= g[i * n + p] * g[j * n + p];
      g[i * n + j] = s / g[j * n + j];
    }
  }
}

describe('choleskyInPlace, two columns and four rows at a time', () => {
  it('gives the same bits as one entry at a time, for every remainder of the blocking', () => {
    for (let n = 1; n <= 17; n++) {
      const g = randomSpd(100 + n, n + 3, n);
      const expected = Float64Array.from(g);
      referenceCholesky(expected, n);
      expect(choleskyInPlace(g, n)).toBe(true);
      expect(Array.from(g)).toStrictEqual(Array.from(expected));
    }
  });
});

describe('choleskyInPlace on the WebAssembly kernel', () => {
  it('gives the bits of the TypeScript loop, for every remainder of its eight-row blocks', () => {
    expect(productKernel().name).toBe('wasm-simd');
    // From KERNEL_CHOLESKY_FROM (16) on, the kernel factors; the loop is the reference.
    for (const n of [16, 17, 18, 23, 24, 25, 31, 40, 64, 101, 167]) {
      const g = randomSpd(300 + n, n + 4, n);
      const viaKernel = Float64Array.from(g);
      const viaLoop = Float64Array.from(g);
      expect(choleskyInPlace(viaKernel, n)).toBe(true);
      expect(choleskyLoop(viaLoop, n)).toBe(true);
      expect(Array.from(viaKernel)).toStrictEqual(Array.from(viaLoop));
    }
  });

  it('refuses what the loop refuses: a singular Gram matrix, an indefinite one, a NaN pivot', () => {
    const n = 40;
    // Rank 20: A is 20 × 40.
    const singular = randomSpd(41, 20, n).map((v, i) => v - (i % (n + 1) === 0 ? 1 : 0));
    const indefinite = randomSpd(42, 50, n);
    indefinite[17 * n + 17] = -1;
    const nan = randomSpd(43, 50, n);
    nan[30 * n + 30] = Number.NaN;
    for (const g of [singular, indefinite, nan]) {
      expect(choleskyLoop(Float64Array.from(g), n)).toBe(false);
      expect(choleskyInPlace(Float64Array.from(g), n)).toBe(false);
    }
  });

  it('factors with the TypeScript kernel too (no factorisation of its own: the loop runs)', () => {
    const previous = useProductKernel(blockedKernel);
    try {
      const g = randomSpd(44, 60, 50);
      const a = Float64Array.from(g);
      const b = Float64Array.from(g);
      expect(choleskyInPlace(a, 50)).toBe(true);
      expect(choleskyLoop(b, 50)).toBe(true);
      expect(Array.from(a)).toStrictEqual(Array.from(b));
    } finally {
      useProductKernel(previous);
    }
  });
});

describe('choleskySolveInPlace', () => {
  it('solves the hand-made system exactly, in place', () => {
    const l = Float64Array.from(G);
    choleskyInPlace(l, 3);
    // x = (1, −2, 3) → b = G x = (−6, −3, 6).
    const b = Float64Array.from([-6, -3, 6]);
    const x = choleskySolveInPlace(l, 3, b);
    expect(x).toBe(b);
    expect(Array.from(x)).toEqual([1, -2, 3]);
  });

  it('solves a random 50×50 SPD system with a small residual', () => {
    const n = 50;
    const g = randomSpd(22, 60, n);
    const l = Float64Array.from(g);
    expect(choleskyInPlace(l, n)).toBe(true);
    const rng = createRng(23);
    const xTrue = rng.fillGaussian(new Float64Array(n));
    const b = mulVec(g, n, xTrue);
    const x = choleskySolveInPlace(l, n, Float64Array.from(b));
    const r = mulVec(g, n, x).map((v, i) => v - b[i]);
    expect(norm(r) / norm(b)).toBeLessThan(1e-13);
    // G = AᵀA + I, A 60×50: cond ≈ ((√60 + √50)² + 1) / ((√60 − √50)² + 1) ≈ 150, so the forward error is small too.
    const err = x.map((v, i) => v - xTrue[i]);
    expect(norm(err) / norm(xTrue)).toBeLessThan(1e-10);
  });
});

describe('choleskyDiagonalRatio', () => {
  it('is the squared ratio of the largest to the smallest diagonal entry of L', () => {
    const l = Float64Array.from(G);
    choleskyInPlace(l, 3);
    // diag(L) = 2, 3, 1 → (3 / 1)² = 9.
    expect(choleskyDiagonalRatio(l, 3)).toBe(9);
    // Only the diagonal counts (off-diagonal entries are ignored).
    expect(choleskyDiagonalRatio(Float64Array.from([2, 100, -50, 4]), 2)).toBe(4);
  });

  it('equals the condition number for a diagonal G, and is 1 for n = 0', () => {
    const g = Float64Array.from([100, 0, 0, 0, 1, 0, 0, 0, 4]);
    choleskyInPlace(g, 3);
    expect(choleskyDiagonalRatio(g, 3)).toBeCloseTo(100, 12);
    expect(choleskyDiagonalRatio(new Float64Array(0), 0)).toBe(1);
    expect(choleskyDiagonalRatio(Float64Array.from([5]), 1)).toBe(1);
  });
});
