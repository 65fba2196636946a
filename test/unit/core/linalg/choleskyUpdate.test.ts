import { describe, expect, it } from 'vitest';
import { choleskyInPlace } from '../../../../src/core/linalg/cholesky';
import { UpdatableCholesky } from '../../../../src/core/linalg/choleskyUpdate';
import { createRng } from '../../../../src/core/linalg/rng';

/** Columns of a random m × n matrix A (column-major), whose Gram entries G_pq = a_pᵀa_q we factor. */
function randomColumns(seed: number, m: number, n: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.fillGaussian(new Float64Array(m)));
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/** Appends column `c` of `cols` to a factor whose active columns are `active`. */
function appendColumn(f: UpdatableCholesky, cols: Float64Array[], active: number[], c: number): boolean {
  const g = Float64Array.from(active, (p) => dot(cols[p], cols[c]));
  const ok = f.append(g, dot(cols[c], cols[c]));
  if (ok) active.push(c);
  return ok;
}

/** The fresh factor of the Gram matrix on `active`, by the reference Cholesky. */
function freshFactor(cols: Float64Array[], active: number[]): Float64Array {
  const t = active.length;
  const g = new Float64Array(t * t);
  for (let p = 0; p < t; p++) for (let q = 0; q < t; q++) g[p * t + q] = dot(cols[active[p]], cols[active[q]]);
  expect(choleskyInPlace(g, t)).toBe(true);
  return g;
}

function expectSameFactor(f: UpdatableCholesky, fresh: Float64Array, t: number): void {
  expect(f.size).toBe(t);
  let scale = 0;
  for (let i = 0; i < t; i++) scale = Math.max(scale, Math.abs(fresh[i * t + i]));
  for (let i = 0; i < t; i++)
    for (let j = 0; j < t; j++) {
      const want = j <= i ? fresh[i * t + j] : 0;
      expect(Math.abs(f.at(i, j) - want)).toBeLessThan(1e-10 * scale);
    }
}

describe('UpdatableCholesky', () => {
  it('appending columns one at a time gives the fresh factor, growing past its capacity', () => {
    const cols = randomColumns(1, 40, 12);
    const f = new UpdatableCholesky(2);
    const active: number[] = [];
    for (const c of [5, 0, 11, 3, 7, 2, 9]) {
      expect(appendColumn(f, cols, active, c)).toBe(true);
      expectSameFactor(f, freshFactor(cols, active), active.length);
    }
  });

  it('removing any row and column by Givens rotations gives the fresh factor of what is left', () => {
    const cols = randomColumns(2, 30, 10);
    for (let q = 0; q < 6; q++) {
      const f = new UpdatableCholesky();
      const active: number[] = [];
      for (const c of [4, 1, 8, 6, 0, 9]) appendColumn(f, cols, active, c);
      f.remove(q);
      active.splice(q, 1);
      expectSameFactor(f, freshFactor(cols, active), active.length);
    }
  });

  it('stays accurate over a long random sequence of appends and removes, and solves G x = b', () => {
    const m = 60;
    const cols = randomColumns(3, m, 50);
    const rng = createRng(4);
    const f = new UpdatableCholesky(4);
    const active: number[] = [];
    for (let step = 0; step < 400; step++) {
      const outside = cols.map((_, c) => c).filter((c) => !active.includes(c));
      if (active.length > 0 && (active.length >= 35 || rng.uniform() < 0.4)) {
        const q = Math.floor(rng.uniform() * active.length);
        f.remove(q);
        active.splice(q, 1);
      } else appendColumn(f, cols, active, outside[Math.floor(rng.uniform() * outside.length)]);
    }
    const t = active.length;
    expect(t).toBeGreaterThan(5);
    expectSameFactor(f, freshFactor(cols, active), t);
    // Solve against a known x: b = G x.
    const x = rng.fillGaussian(new Float64Array(t));
    const b = Float64Array.from(active, (p) => active.reduce((s, q, k) => s + dot(cols[p], cols[q]) * x[k], 0));
    const solved = f.solveInPlace(b.slice());
    for (let k = 0; k < t; k++) expect(solved[k]).toBeCloseTo(x[k], 8);
  });

  it('reset factors a whole Gram matrix at once, and appends continue from it', () => {
    const cols = randomColumns(6, 30, 8);
    const active = [6, 2, 4];
    const g = new Float64Array(9);
    for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) g[p * 3 + q] = dot(cols[active[p]], cols[active[q]]);
    const f = new UpdatableCholesky(1);
    expect(f.reset(g, 3)).toBe(true);
    expectSameFactor(f, freshFactor(cols, active), 3);
    appendColumn(f, cols, active, 7);
    expectSameFactor(f, freshFactor(cols, active), 4);
    expect(f.reset(new Float64Array([1, 1, 1, 1]), 2)).toBe(false);
    expect(f.size).toBe(0);
  });

  it('refuses a column in the span of the active ones and leaves the factor unchanged', () => {
    const cols = randomColumns(5, 20, 3);
    cols.push(Float64Array.from(cols[0], (v, r) => 2 * v - 0.5 * cols[2][r]));
    const f = new UpdatableCholesky();
    const active: number[] = [];
    for (const c of [0, 1, 2]) appendColumn(f, cols, active, c);
    const before = freshFactor(cols, active);
    expect(appendColumn(f, cols, active, 3)).toBe(false);
    expectSameFactor(f, before, 3);
    expect(() => f.remove(3)).toThrow(/no row 3/);
  });
});
