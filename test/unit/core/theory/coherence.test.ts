import { describe, expect, it } from 'vitest';
import { transpose } from '../../../../src/core/linalg/dense';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { numericalRank } from '../../../../src/core/linalg/qr';
import { createRng } from '../../../../src/core/linalg/rng';
import { babel, mutualCoherence, normalizedGram, sparkLowerBound } from '../../../../src/core/theory/coherence';

// ---------------------------------------------------------------------------
// Brute-force references, written independently of the code under test.
// ---------------------------------------------------------------------------

function gaussianMatrix(seed: number, m: number, n: number): Matrix {
  return matrix(m, n, createRng(seed).fillGaussian(new Float64Array(m * n)));
}

const entry = (A: Matrix, i: number, j: number) => A.data[i * A.cols + j];

/** G_ij = ⟨a_i, a_j⟩ / (‖a_i‖‖a_j‖) over the given rows, straight from the definition (0 for a zero column). */
function bruteGram(A: Matrix, rows: readonly number[] = Array.from({ length: A.rows }, (_, r) => r)): number[][] {
  const n = A.cols;
  const dot = (i: number, j: number) => rows.reduce((s, r) => s + entry(A, r, i) * entry(A, r, j), 0);
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const d = Math.sqrt(dot(i, i) * dot(j, j));
      return d > 0 ? dot(i, j) / d : 0;
    }),
  );
}

function bruteCoherence(G: number[][]): number {
  let mu = 0;
  for (let i = 0; i < G.length; i++)
    for (let j = 0; j < G.length; j++) if (i !== j) mu = Math.max(mu, Math.abs(G[i][j]));
  return mu;
}

/** μ₁(k) for k = 1 … n−1: max over j and over every subset Λ, |Λ| = k, j ∉ Λ, of Σ_{i∈Λ} |G_ij| (all subsets enumerated). */
function bruteBabel(G: number[][]): number[] {
  const n = G.length;
  const out = new Array<number>(Math.max(n - 1, 0)).fill(0);
  for (let j = 0; j < n; j++) {
    for (let mask = 1; mask < 1 << n; mask++) {
      if (mask & (1 << j)) continue;
      let k = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        if (mask & (1 << i)) {
          k++;
          sum += Math.abs(G[i][j]);
        }
      }
      out[k - 1] = Math.max(out[k - 1], sum);
    }
  }
  return out;
}

/** Rank by Gaussian elimination with partial pivoting; pivots below 1e-9·max|a_ij| count as zero. */
function eliminationRank(rows: number[][]): number {
  const a = rows.map((r) => r.slice());
  const m = a.length;
  const n = m === 0 ? 0 : a[0].length;
  const scale = Math.max(0, ...a.flat().map(Math.abs));
  if (scale === 0) return 0;
  let rank = 0;
  for (let c = 0; c < n && rank < m; c++) {
    let p = rank;
    for (let r = rank + 1; r < m; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) <= 1e-9 * scale) continue;
    [a[rank], a[p]] = [a[p], a[rank]];
    for (let r = rank + 1; r < m; r++) {
      const f = a[r][c] / a[rank][c];
      for (let q = c; q < n; q++) a[r][q] -= f * a[rank][q];
    }
    rank++;
  }
  return rank;
}

function* combinations(n: number, k: number, start = 0, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i < n; i++) yield* combinations(n, k, i + 1, [...prefix, i]);
}

/** spark(A): the fewest linearly dependent columns, by enumerating column subsets of increasing size (∞ if none). */
function exactSpark(A: Matrix): number {
  for (let k = 1; k <= A.cols; k++) {
    for (const cols of combinations(A.cols, k)) {
      const sub = Array.from({ length: A.rows }, (_, r) => cols.map((c) => entry(A, r, c)));
      if (eliminationRank(sub) < k) return k;
    }
  }
  return Number.POSITIVE_INFINITY;
}

const gramOf = (A: Matrix, rows?: Int32Array) => normalizedGram(A, transpose(A), rows);
const toRows = (G: Matrix) =>
  Array.from({ length: G.rows }, (_, i) => Array.from(G.data.subarray(i * G.cols, (i + 1) * G.cols)));

function expectMatrixClose(actual: Matrix, expected: number[][], tol: number) {
  expect(actual.rows).toBe(expected.length);
  expect(actual.cols).toBe(expected.length);
  toRows(actual).forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(tol)));
}

/** Sets column `j` of A to `values`. */
function withColumn(A: Matrix, j: number, values: (r: number) => number): Matrix {
  const B = matrix(A.rows, A.cols, Float64Array.from(A.data));
  for (let r = 0; r < A.rows; r++) B.data[r * A.cols + j] = values(r);
  return B;
}

/** The spark bound as the code is used: the rank from pivoted QR, then sparkLowerBound. */
const boundOf = (A: Matrix) => sparkLowerBound(gramOf(A), numericalRank(A));

/** Checks the bound's parts against the brute-force coherence and Babel function, and that it never exceeds the exact spark. */
function checkBound(A: Matrix, expectedSpark: number) {
  const spark = exactSpark(A);
  expect(spark).toBe(expectedSpark);
  const G = bruteGram(A);
  const mu = bruteCoherence(G);
  const b = bruteBabel(G);
  const bound = boundOf(A);
  expect(bound.coherence).toBeCloseTo(mu, 12);
  if (mu > 0) expect(bound.fromCoherence).toBeCloseTo(1 + 1 / mu, 9);
  else expect(bound.fromCoherence).toBe(Number.POSITIVE_INFINITY);
  // fromBabel = min{k ≥ 2 : μ₁(k − 1) ≥ 1}, n + 1 if none (a tiny slack on the comparison with 1 for rounding).
  const k = b.findIndex((v) => v >= 1 - 1e-12);
  expect(bound.fromBabel).toBe(k < 0 ? A.cols + 1 : k + 2);
  expect(bound.fromBabel).toBeGreaterThanOrEqual(2);
  expect(bound.rank).toBe(eliminationRank(toRows(A)));
  expect(bound.fullColumnRank).toBe(bound.rank === A.cols);
  expect(bound.lower).toBeLessThanOrEqual(spark);
  return { spark, bound };
}

// ---------------------------------------------------------------------------

describe('normalizedGram', () => {
  it.each([
    [1, 6, 5],
    [2, 8, 10],
    [3, 3, 7],
  ])('seed %i, %i×%i: unit diagonal, symmetric, equal to the brute-force normalised Gram', (seed, m, n) => {
    const A = gaussianMatrix(seed, m, n);
    const G = gramOf(A);
    expectMatrixClose(G, bruteGram(A), 1e-13);
    for (let i = 0; i < n; i++) {
      expect(G.data[i * n + i]).toBeCloseTo(1, 14);
      for (let j = 0; j < n; j++) expect(G.data[i * n + j]).toBe(G.data[j * n + i]);
    }
  });

  it('with a row subset, equals the normalised Gram of the explicitly gathered rows (in any row order)', () => {
    const A = gaussianMatrix(4, 9, 6);
    for (const rows of [[0, 2, 3, 5, 8], [7, 1, 4], [6]]) {
      const gathered = matrix(rows.length, A.cols);
      rows.forEach((r, k) => gathered.data.set(A.data.subarray(r * A.cols, (r + 1) * A.cols), k * A.cols));
      const G = gramOf(A, Int32Array.from(rows));
      expectMatrixClose(G, bruteGram(gathered), 1e-13);
      expectMatrixClose(G, bruteGram(A, rows), 1e-13);
    }
    // A single row: every column is a scalar, so every normalised entry is ±1.
    const G1 = gramOf(A, Int32Array.from([6]));
    for (const v of G1.data) expect(Math.abs(v)).toBeCloseTo(1, 14);
  });

  it('gives a zero row and column (diagonal included) for a zero column, and the rest unchanged', () => {
    const A = withColumn(gaussianMatrix(5, 6, 4), 2, () => 0);
    const G = gramOf(A);
    for (let i = 0; i < 4; i++) {
      expect(G.data[2 * 4 + i]).toBe(0);
      expect(G.data[i * 4 + 2]).toBe(0);
    }
    expectMatrixClose(G, bruteGram(A), 1e-13);
    // A column that is zero only on the chosen rows behaves the same way there.
    const B = gaussianMatrix(6, 5, 3);
    B.data[0 * 3 + 1] = 0;
    B.data[3 * 3 + 1] = 0;
    const Gs = gramOf(B, Int32Array.from([0, 3]));
    expect([Gs.data[1 * 3 + 0], Gs.data[1 * 3 + 1], Gs.data[1 * 3 + 2]]).toEqual([0, 0, 0]);
  });
});

describe('mutual coherence and the Babel function', () => {
  it.each([
    [11, 6, 5],
    [12, 8, 10],
    [13, 4, 7],
    [14, 12, 9],
  ])('seed %i, %i×%i: equal to the brute force over all pairs and all subsets', (seed, m, n) => {
    const A = gaussianMatrix(seed, m, n);
    const G = gramOf(A);
    const Gb = bruteGram(A);
    const mu = bruteCoherence(Gb);
    expect(mutualCoherence(G)).toBeCloseTo(mu, 13);
    const b = babel(G);
    const expected = bruteBabel(Gb);
    expect(b).toHaveLength(n - 1);
    b.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 12));
    // μ₁(1) = μ, μ₁ is nondecreasing, and μ₁(k) ≤ k·μ.
    expect(b[0]).toBeCloseTo(mu, 13);
    for (let k = 1; k < b.length; k++) {
      expect(b[k]).toBeGreaterThanOrEqual(b[k - 1]);
      expect(b[k]).toBeLessThanOrEqual((k + 1) * mu + 1e-12);
    }
  });

  it('picks the worst column for each k separately (different columns win at different k)', () => {
    // Column 0 has one strong correlation (0.9 with column 1), column 3 many moderate ones (0.5 with 4, 5, 6):
    // μ₁(1) comes from column 0 or 1, μ₁(3) from column 3.
    const G = matrix(7, 7);
    const set = (i: number, j: number, v: number) => {
      G.data[i * 7 + j] = v;
      G.data[j * 7 + i] = v;
    };
    for (let i = 0; i < 7; i++) set(i, i, 1);
    set(0, 1, -0.9);
    set(3, 4, 0.5);
    set(3, 5, -0.5);
    set(3, 6, 0.5);
    set(0, 2, 0.05);
    const b = babel(G);
    const expected = bruteBabel(toRows(G));
    b.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 14));
    expect(b[0]).toBeCloseTo(0.9, 14);
    expect(b[1]).toBeCloseTo(1.0, 14);
    expect(b[2]).toBeCloseTo(1.5, 14);
    expect(mutualCoherence(G)).toBeCloseTo(0.9, 14);
  });

  it('mutual coherence ignores the diagonal and is 0 for orthogonal or single columns; babel is empty for one column', () => {
    const I = matrix(3, 3, Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]));
    expect(mutualCoherence(gramOf(I))).toBe(0);
    expect(Array.from(babel(gramOf(I)))).toEqual([0, 0]);
    const one = gaussianMatrix(7, 5, 1);
    expect(mutualCoherence(gramOf(one))).toBe(0);
    expect(babel(gramOf(one))).toHaveLength(0);
  });
});

describe('sparkLowerBound never exceeds the exact (brute-force) spark', () => {
  it.each([21, 22, 23, 24, 25, 26])('random wide 4×7 (seed %i): spark = rows + 1 = 5', (seed) => {
    const { bound } = checkBound(gaussianMatrix(seed, 4, 7), 5);
    expect(bound.rank).toBe(4);
    expect(bound.fullColumnRank).toBe(false);
    expect(Number.isFinite(bound.lower)).toBe(true);
    expect(bound.lower).toBeGreaterThanOrEqual(2);
  });

  it.each([31, 32, 33])('random wide 3×6 and 5×9 (seed %i)', (seed) => {
    checkBound(gaussianMatrix(seed, 3, 6), 4);
    checkBound(gaussianMatrix(seed + 100, 5, 9), 6);
  });

  it('column 3 = column 0 − 2·column 1: spark 3', () => {
    const A0 = gaussianMatrix(41, 5, 6);
    const A = withColumn(A0, 3, (r) => entry(A0, r, 0) - 2 * entry(A0, r, 1));
    checkBound(A, 3);
    // Tall: the same dependency in 8×5, rank 4.
    const T0 = gaussianMatrix(42, 8, 5);
    const T = withColumn(T0, 4, (r) => entry(T0, r, 0) + entry(T0, r, 1));
    const { bound } = checkBound(T, 3);
    expect(bound.rank).toBe(4);
    expect(bound.fullColumnRank).toBe(false);
  });

  it('two equal, opposite or proportional columns: spark 2 and the bound is exactly 2', () => {
    const A0 = gaussianMatrix(43, 4, 6);
    for (const f of [1, -1, 3, -0.25]) {
      const A = withColumn(A0, 5, (r) => f * entry(A0, r, 2));
      const { bound } = checkBound(A, 2);
      expect(bound.coherence).toBeCloseTo(1, 12);
      expect(bound.fromCoherence).toBeCloseTo(2, 10);
      expect(bound.fromBabel).toBe(2);
      expect(bound.lower).toBeCloseTo(2, 12);
    }
    // Also in a tall matrix that would otherwise have full column rank.
    const T0 = gaussianMatrix(44, 9, 4);
    const { bound } = checkBound(
      withColumn(T0, 0, (r) => entry(T0, r, 3)),
      2,
    );
    expect(bound.fullColumnRank).toBe(false);
    expect(bound.lower).toBeCloseTo(2, 12);
  });

  it.each([
    [51, 6, 5],
    [52, 10, 4],
    [53, 7, 7],
    [54, 12, 9],
  ])('full column rank (seed %i, %i×%i): lower = ∞, like the exact spark', (seed, m, n) => {
    const A = gaussianMatrix(seed, m, n);
    const { spark, bound } = checkBound(A, Number.POSITIVE_INFINITY);
    expect(spark).toBe(Number.POSITIVE_INFINITY);
    expect(bound.lower).toBe(Number.POSITIVE_INFINITY);
    expect(bound.fullColumnRank).toBe(true);
    expect(bound.rank).toBe(n);
    // The finite parts are still reported.
    // 1 + 1/μ, made a hair smaller (μ inflated by 1e-12) so rounding can never push it above the spark.
    expect(bound.fromCoherence).toBeLessThanOrEqual(1 + 1 / bound.coherence);
    expect(bound.fromCoherence).toBeCloseTo(1 + 1 / bound.coherence, 10);
    expect(Number.isFinite(bound.fromCoherence)).toBe(true);
  });

  it('takes the larger of the two certified bounds (the Babel bound can beat the coherence bound)', () => {
    // [I₄ | (1,1,1,1)/2]: μ = 1/2, so 1 + 1/μ = 3; μ₁(2) = 1 for the last column, so the Babel bound is 3; spark = 5.
    const A = matrix(4, 5, Float64Array.from([1, 0, 0, 0, 0.5, 0, 1, 0, 0, 0.5, 0, 0, 1, 0, 0.5, 0, 0, 0, 1, 0.5]));
    const { bound } = checkBound(A, 5);
    expect(bound.fromCoherence).toBeLessThanOrEqual(3);
    expect(bound.fromCoherence).toBeCloseTo(3, 10);
    expect(bound.fromBabel).toBe(3);
    expect(bound.lower).toBeCloseTo(3, 12);
    // Orthogonal-but-one columns: μ small, Babel larger than coherence's bound.
    // [I₄ | ε·(1,1,1,1) + e₁]: μ is the correlation of the last column with e₁.
    const eps = 0.1;
    const B = matrix(4, 5, Float64Array.from([1, 0, 0, 0, 1 + eps, 0, 1, 0, 0, eps, 0, 0, 1, 0, eps, 0, 0, 0, 1, eps]));
    const b = checkBound(B, 5).bound;
    expect(b.lower).toBe(Math.min(Math.max(b.fromCoherence, b.fromBabel), 5));
    expect(b.lower).toBeLessThanOrEqual(5);
  });

  // Regression, fixed (src/core/theory/coherence.ts, sparkLowerBound): a zero column makes spark(W) = 1 (that column alone is
  // dependent), but normalizedGram maps it to a zero row/column, so μ and μ₁ never see it: fromCoherence = 1 + 1/μ ≥ 2,
  // fromBabel ≥ 2, and lower = min(max(…), rank + 1) ≥ 2 whenever rank ≥ 1. The "certified" lower bound exceeds the
  // spark. Expected lower ≤ 1.
  it('a zero column: spark 1, but the bound is ≥ 2', () => {
    const A0 = gaussianMatrix(61, 8, 7);
    const A = withColumn(A0, 4, () => 0);
    expect(exactSpark(A)).toBe(1);
    const bound = boundOf(A);
    expect(bound.fullColumnRank).toBe(false);
    expect(bound.lower).toBeLessThanOrEqual(1);
  });

  // Regression, fixed (src/core/theory/coherence.ts, sparkLowerBound): the tests "μ₁(k − 1) ≥ 1" and "1 + 1/μ" are exact
  // comparisons on rounded numbers. Two identical columns (1, 7) have G_01 = 50/(√50·√50) = 0.9999999999999999,
  // so fromBabel skips k = 2 and lower = min(max(2, 4), rank + 1 = 3) = 3 > spark = 2.
  // Expected lower ≤ 2.
  it('two identical columns whose norm rounds: bound 3 > spark 2', () => {
    const A = matrix(2, 3, Float64Array.from([1, 1, 7, 7, 7, -1]));
    expect(exactSpark(A)).toBe(2);
    expect(boundOf(A).lower).toBeLessThanOrEqual(2);
  });
});
