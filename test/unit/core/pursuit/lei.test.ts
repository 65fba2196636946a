import { beforeAll, describe, expect, it } from 'vitest';
import { column } from '../../../../src/core/linalg/dense';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { relativeError } from '../../../../src/core/metrics';
import { forward } from '../../../../src/core/model/forward';
import type { Generator } from '../../../../src/core/model/generator';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { loadHighs } from '../../../../src/core/pursuit/highs';
import { solveLayerLp, type LayerRows } from '../../../../src/core/pursuit/lei';
import { invert } from '../../../../src/core/pursuit/methods';

beforeAll(async () => {
  await loadHighs();
});

/** Least squares min ‖A x − c‖ by the normal equations and Gauss–Jordan with partial pivoting (tiny, dense). */
function lstsq(A: number[][], c: number[]): { x: number[]; residual: number } | undefined {
  const n = A[0].length;
  const M = Array.from({ length: n }, (_, i) => {
    const row = Array.from({ length: n }, (_, k) => A.reduce((s, a) => s + a[i] * a[k], 0));
    row.push(A.reduce((s, a, r) => s + a[i] * c[r], 0));
    return row;
  });
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[piv][col])) piv = r;
    if (Math.abs(M[piv][col]) < 1e-12) return undefined; // rank deficient: not a unique candidate
    [M[col], M[piv]] = [M[piv], M[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = M[r][col] / M[col][col];
      for (let k = col; k <= n; k++) M[r][k] -= f * M[col][k];
    }
  }
  const x = M.map((row, i) => row[n] / row[i]);
  const residual = Math.sqrt(A.reduce((s, a, r) => s + (a.reduce((p, v, k) => p + v * x[k], 0) - c[r]) ** 2, 0));
  return { x, residual };
}

const rowOf = (W: Matrix, r: number) => Array.from(W.data.subarray(r * W.cols, (r + 1) * W.cols));

/** A 2 → n1 → n generator with random biases and an identity output (so brute force needs no φ⁻¹). */
function smallNet(n1: number, n: number, seed: number): Generator {
  const rng = createRng(seed);
  const layer = (rows: number, cols: number) => ({
    W: matrix(rows, cols, rng.fillGaussian(new Float64Array(rows * cols))),
    b: Float64Array.from({ length: rows }, () => 0.3 * rng.gaussian()),
  });
  return {
    name: 'small',
    inputDim: 2,
    hidden: 'relu',
    output: { kind: 'identity' },
    layers: [layer(n1, 2), layer(n, n1)],
  };
}

/**
 * Every z with G(z) = y exactly, by enumerating the hidden layer's 2^n1 sign
 * patterns: for each support S, x_S from the output by least squares (exact,
 * positive), then z from W₁[S] z + b₁[S] = x_S (exact) with W₁ z + b₁ ≤ 0 off S.
 */
function bruteForcePreimages(gen: Generator, y: Float64Array): number[][] {
  const [l1, l2] = gen.layers;
  const n1 = l1.W.rows;
  const found: number[][] = [];
  for (let mask = 1; mask < 1 << n1; mask++) {
    const S = Array.from({ length: n1 }, (_, i) => i).filter((i) => (mask >> i) & 1);
    if (S.length < 2) continue; // z ∈ R² is not determined by fewer than two equations
    const A2 = Array.from({ length: l2.W.rows }, (_, r) => S.map((i) => l2.W.data[r * n1 + i]));
    const xs = lstsq(
      A2,
      Array.from(y, (v, r) => v - l2.b[r]),
    );
    if (xs === undefined || xs.residual > 1e-9 || xs.x.some((v) => !(v > 1e-12))) continue;
    const zs = lstsq(
      S.map((i) => rowOf(l1.W, i)),
      S.map((i, q) => xs.x[q] - l1.b[i]),
    );
    if (zs === undefined || zs.residual > 1e-9) continue;
    const offOk = Array.from({ length: n1 }, (_, i) => i)
      .filter((i) => !S.includes(i))
      .every((i) => rowOf(l1.W, i).reduce((s, w, k) => s + w * zs.x[k], l1.b[i]) <= 1e-9);
    if (offOk) found.push(zs.x);
  }
  return found;
}

describe('lei (Lei et al. 2019, one LP per layer)', () => {
  it('agrees with brute force over all hidden sign patterns on small nets (2 → 7 → 10, biased)', () => {
    let checked = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const gen = smallNet(7, 10, seed);
      const z = matrix(2, 3, createRng(100 + seed).fillGaussian(new Float64Array(6)));
      const y = forward(gen, z).output;
      const res = invert(gen, observe(y, { kind: 'none' }, { kind: 'none' }, 0), 'lei');
      for (let j = 0; j < 3; j++) {
        const pre = bruteForcePreimages(gen, column(y, j));
        // The true z is always a pre-image; brute force must find it.
        expect(pre.some((p) => relativeError(p, column(z, j)) < 1e-9)).toBe(true);
        const distinct = pre.filter((p, k) => pre.findIndex((q) => relativeError(q, p) < 1e-9) === k);
        if (distinct.length !== 1) continue; // several pre-images: any of them is a right answer of the LP
        checked++;
        expect(res.signals[j].stopReason).toBe('exact');
        expect(relativeError(column(res.z, j), distinct[0])).toBeLessThan(1e-9);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12); // most instances have a unique pre-image: the check is not vacuous
  });

  /**
   * The ℓ∞ LP against an independent exact method: in (u₁, u₂, t) the optimum
   * is a vertex, three tight constraints; enumerate every triple, keep the
   * feasible points, take the least t.
   */
  function bruteForceLinf(W: Matrix, rows: LayerRows, nonnegative: boolean): number {
    // Constraints a·(u, t) ≤ c.
    const cons: { a: number[]; c: number }[] = [{ a: [0, 0, -1], c: 0 }];
    if (nonnegative) cons.push({ a: [-1, 0, 0], c: 0 }, { a: [0, -1, 0], c: 0 });
    for (const r of rows.equations) {
      const [w1, w2] = rowOf(W, r);
      cons.push({ a: [w1, w2, -1], c: rows.target[r] }, { a: [-w1, -w2, -1], c: -rows.target[r] });
    }
    for (const r of rows.below) cons.push({ a: [...rowOf(W, r), -1], c: rows.target[r] });
    for (const r of rows.above) cons.push({ a: [...rowOf(W, r).map((w) => -w), -1], c: -rows.target[r] });
    let best = Number.POSITIVE_INFINITY;
    for (let a = 0; a < cons.length; a++)
      for (let b = a + 1; b < cons.length; b++)
        for (let c = b + 1; c < cons.length; c++) {
          const sol = lstsq([cons[a].a, cons[b].a, cons[c].a], [cons[a].c, cons[b].c, cons[c].c]);
          if (sol === undefined || sol.residual > 1e-9) continue;
          if (cons.every((k) => k.a.reduce((s, v, i) => s + v * sol.x[i], 0) <= k.c + 1e-9))
            best = Math.min(best, sol.x[2]);
        }
    return best;
  }

  it('solves the stated ℓ∞ LP: its optimal slack equals the vertex enumeration’s, with and without u ≥ 0', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rng = createRng(seed);
      const W = matrix(9, 2, rng.fillGaussian(new Float64Array(18)));
      const target = Float64Array.from({ length: 9 }, () => rng.gaussian());
      const rows: LayerRows = {
        equations: Int32Array.of(0, 1, 2, 3, 4),
        above: Int32Array.of(5),
        below: Int32Array.of(6, 7, 8),
        target,
      };
      for (const nonnegative of [false, true]) {
        const lp = solveLayerLp(W, rows, nonnegative, { slack: true, timeLimit: Infinity });
        expect(lp.optimal).toBe(true);
        const t = bruteForceLinf(W, rows, nonnegative);
        expect(t).toBeGreaterThan(1e-3); // noisy targets: the slack is really used
        expect(lp.t).toBeCloseTo(t, 9);
        if (nonnegative) expect(Math.min(...lp.u)).toBeGreaterThanOrEqual(-1e-12);
      }
    }
  });

  it('recovers z exactly in its regime: expansive random layers (10 → 40 → 160, tanh), also with 30% of pixels masked', () => {
    const gen = randomGaussianGenerator([10, 40, 160], { kind: 'tanh' }, 0);
    const count = 8;
    const z = matrix(10, count, createRng(5).fillGaussian(new Float64Array(10 * count)));
    const clean = forward(gen, z).output;
    for (const mask of [{ kind: 'none' as const }, { kind: 'random' as const, fraction: 0.3 }]) {
      const res = invert(gen, observe(clean, { kind: 'none' }, mask, 9), 'lei');
      expect(res.method).toBe('lei');
      expect(res.layers.map((x) => x.rows)).toEqual([40]);
      for (let j = 0; j < count; j++) {
        expect(res.signals[j].stopReason).toBe('exact');
        expect(res.signals[j].phases.map((p) => p.phase)).toEqual(['layer 1 (LP, HiGHS)', 'z (LP, HiGHS)']);
        expect(relativeError(column(res.z, j), column(z, j))).toBeLessThan(1e-6);
      }
    }
  });

  it('reads saturated pixels as one-sided bounds: exact recovery where tanh rounds pixels to ±1', () => {
    // Large weights push many pre-activations past atanh(1 − τ) ≈ 9, where y = ±1 carries no value.
    const base = randomGaussianGenerator([6, 30, 120], { kind: 'tanh' }, 2);
    const gen: Generator = {
      ...base,
      layers: base.layers.map((l, i) =>
        i === 1
          ? {
              W: matrix(
                l.W.rows,
                l.W.cols,
                l.W.data.map((w) => 12 * w),
              ),
              b: l.b,
            }
          : l,
      ),
    };
    const z = matrix(6, 4, createRng(8).fillGaussian(new Float64Array(24)));
    const res = invert(gen, observe(forward(gen, z).output, { kind: 'none' }, { kind: 'none' }, 0), 'lei');
    expect(Math.min(...res.signals.map((s) => s.saturated))).toBeGreaterThan(0);
    for (let j = 0; j < 4; j++) expect(relativeError(column(res.z, j), column(z, j))).toBeLessThan(1e-6);
  });

  it('reports failure plainly: without the slack, noisy data make the LP infeasible', () => {
    const gen = randomGaussianGenerator([10, 40, 160], { kind: 'tanh' }, 0);
    const z = matrix(10, 2, createRng(5).fillGaussian(new Float64Array(20)));
    const obs = observe(forward(gen, z).output, { kind: 'gaussian', sigma: 0.01 }, { kind: 'none' }, 3);
    // Any other HiGHS status is a plain failure too: here its time limit.
    const hurried = invert(gen, obs, 'lei', { lei: { timeLimit: 1e-9 } });
    for (const s of hurried.signals) {
      expect(s.stopReason).toBe('failed');
      expect(s.phases[0].note).toMatch(/^HiGHS ended with status timeLimit/);
    }
    const strict = invert(gen, obs, 'lei', { lei: { slack: false } });
    for (const s of strict.signals) {
      expect(s.stopReason).toBe('failed');
      expect(s.phases[0].note).toMatch(/status infeasible/);
      expect(s.phases).toHaveLength(1); // the layers below were not attempted
    }
    expect(Array.from(strict.z.data).every((v) => v === 0)).toBe(true);
    // With the ℓ∞ slack the same data are solved, with a positive slack, and z is close.
    const robust = invert(gen, obs, 'lei');
    for (let j = 0; j < 2; j++) {
      expect(robust.signals[j].stopReason).toBe('exact');
      expect(robust.signals[j].phases[0].history[0]).toBeGreaterThan(0);
      expect(relativeError(column(robust.z, j), column(z, j))).toBeLessThan(0.2);
      // The ReLU layer's claim: ‖ReLU(W₁ẑ + b₁) − x̂₁‖∞ ≤ the last threshold τ, the previous round's slack.
      const slacks = robust.signals[j].phases[1].history;
      expect(slacks.length).toBeGreaterThanOrEqual(2); // the threshold iteration ran
      for (let k = 1; k < slacks.length; k++) expect(slacks[k]).toBeLessThan(slacks[k - 1]);
      const t = slacks[slacks.length - 2];
      const x1 = column(robust.layers[0], j);
      const [l1] = gen.layers;
      const fit = Array.from(x1, (v, r) =>
        Math.abs(
          Math.max(
            0,
            rowOf(l1.W, r).reduce((s, w, k) => s + w * robust.z.data[k * 2 + j], l1.b[r]),
          ) - v,
        ),
      );
      expect(Math.max(...fit)).toBeLessThanOrEqual(t * (1 + 1e-6) + 1e-12);
    }
  });
});
