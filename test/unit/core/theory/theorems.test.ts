import { describe, expect, it } from 'vitest';
import { transpose } from '../../../../src/core/linalg/dense';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { numericalRank } from '../../../../src/core/linalg/qr';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import type { Generator as Net } from '../../../../src/core/model/generator';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { invert } from '../../../../src/core/pursuit/methods';
import { prepare } from '../../../../src/core/pursuit/prepared';
import { certifyUniqueness } from '../../../../src/core/theory/certificate';
import { normalizedGram, sparkLowerBound } from '../../../../src/core/theory/coherence';
import {
  evaluateSignal,
  gramExtremes,
  supportedSpark,
  theorem3Bounds,
  theorem4Bounds,
} from '../../../../src/core/theory/theorems';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const mat = (rows: number[][]): Matrix => matrix(rows.length, rows[0].length, Float64Array.from(rows.flat()));
const idx = (...i: number[]) => Int32Array.from(i);
const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** A generator built by hand: ReLU hidden layers, identity output, zero biases. */
function net(weights: number[][][]): Net {
  return {
    name: 'hand-built',
    inputDim: weights[0][0].length,
    hidden: 'relu',
    output: { kind: 'identity' },
    layers: weights.map((w) => ({ W: mat(w), b: new Float64Array(w.length) })),
  };
}

/** Supports {k : x[k] > 0} of column j of every hidden layer. */
const supportsOf = (hidden: readonly Matrix[], j: number) =>
  hidden.map((x) =>
    Int32Array.from(Array.from({ length: x.rows }, (_, i) => i).filter((i) => x.data[i * x.cols + j] > 0)),
  );

const columnOf = (m: Matrix, j: number) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);

/** A[rows, cols] as a dense number[][]. */
const sub = (A: Matrix, rows: ArrayLike<number>, cols: ArrayLike<number>) =>
  Array.from(rows, (r) => Array.from(cols, (c) => A.data[r * A.cols + c]));

const mul = (A: number[][], B: number[][]) =>
  A.map((row) => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
const tr = (A: number[][]) => A[0].map((_, j) => A.map((row) => row[j]));

/** Inverse of a small SPD matrix by Gauss–Jordan with partial pivoting. */
function inverse(A: number[][]): number[][] {
  const n = A.length;
  const a = A.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const d = a[c][c];
    for (let q = 0; q < 2 * n; q++) a[c][q] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let q = 0; q < 2 * n; q++) a[r][q] -= f * a[c][q];
    }
  }
  return a.map((row) => row.slice(n));
}

/** A⁺ = (AᵀA)⁻¹Aᵀ for A of full column rank. */
const pinv = (A: number[][]) => mul(inverse(mul(tr(A), A)), tr(A));

/** Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations. */
function symmetricEigen(S: number[][]): number[] {
  const a = S.map((r) => r.slice());
  const n = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((r, i) => r[i]).sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------
// Hand-built nets
// ---------------------------------------------------------------------------

// n0 = 2 → n1 = 4 → n = 6. W_1 = [H₄; 0; 0]: orthogonal columns (μ = 0), full column rank.
const W0a = [
  [1, 0],
  [0, 1],
  [1, 1],
  [1, -1],
];
const H4 = [
  [1, 1, 1, 1],
  [1, -1, 1, -1],
  [1, 1, -1, -1],
  [1, -1, -1, 1],
];
const netA = net([W0a, [...H4, [0, 0, 0, 0], [0, 0, 0, 0]]]);
const layersA = prepare(netA);
const all6 = range(6);

describe('evaluateSignal on hand-built nets', () => {
  it('s_1 < n_0: Theorem 2 (iii) and Theorem 1 (iii) fail at layer 1, with the numbers', () => {
    const e = evaluateSignal(layersA, { supports: [idx(2)], knownRows: all6 });
    expect(e.rankFirst).toBe(1);
    expect(e.theorem1).toBe(false);
    expect(e.theorem2).toBe(false);
    expect(e.theorem3).toBe(false);
    expect(e.layers).toHaveLength(1);
    const l = e.layers[0];
    expect(l.layer).toBe(1);
    expect(l.s).toBe(1);
    // Only (iii) fails: spark(W_1) = ∞ (full column rank) and s_1 = 1 < n = 6 hold.
    expect(l.theorem2.holds).toBe(false);
    expect(l.theorem2.failed).toEqual(['s₁ = 1 ≥ n₀ = 2']);
    expect(l.theorem2.statement).toBe('s₁ = 1 ≥ n₀ = 2; s₁ = 1 < n = 6');
    expect(l.theorem1.holds).toBe(false);
    expect(l.theorem1.failed).toEqual(['rank(W₀^{S₁}) = n₀ ≤ s₁ (rank 1, n₀ = 2, s₁ = 1)']);
    expect(l.theorem1.statement).toContain('s₁ = 1 < spark(W₁) = ∞ (full column rank)');
    expect(l.spark.fullColumnRank).toBe(true);
    expect(l.spark.lower).toBe(Number.POSITIVE_INFINITY);
    // Theorem 3: μ = 0 holds; W_0^{S_1} is rank deficient.
    expect(l.coherence).toBe(0);
    expect(l.theorem3.failed).toEqual(['W₀^{S₁} has full column rank (rank 1 of 2)']);
  });

  it('two parallel rows of W_0 in S_1: s_1 = 2 ≥ n_0 but rank 1 — Theorem 1 (iii) fails, Theorem 2 holds', () => {
    // Rows 0 and 1 of this W_0 are parallel, so W_0^{S_1} with S_1 = {0, 1} has rank 1 < n_0 = 2.
    const g = net([
      [
        [1, 2],
        [-2, -4],
        [0, 1],
      ],
      [...H4.map((r) => r.slice(0, 3)), [0, 0, 0]],
    ]);
    const e = evaluateSignal(prepare(g), { supports: [idx(0, 1)], knownRows: range(5) });
    expect(e.rankFirst).toBe(1);
    expect(e.theorem2).toBe(true);
    expect(e.theorem1).toBe(false);
    expect(e.layers[0].theorem1.failed).toEqual(['rank(W₀^{S₁}) = n₀ ≤ s₁ (rank 1, n₀ = 2, s₁ = 2)']);
  });

  it('W_1 of full column rank, s_1 ≥ n_0, W_0^{S_1} of full rank, μ = 0: Theorems 1, 2 and 3 all hold', () => {
    for (const S1 of [idx(0, 1, 3), idx(2, 3), idx(0, 1, 2, 3)]) {
      const e = evaluateSignal(layersA, { supports: [S1], knownRows: all6 });
      expect(e.rankFirst).toBe(2);
      expect(e.theorem1).toBe(true);
      expect(e.theorem2).toBe(true);
      expect(e.theorem3).toBe(true);
      for (const t of ['theorem1', 'theorem2', 'theorem3'] as const) expect(e.layers[0][t].failed).toEqual([]);
      expect(e.layers[0].theorem1.statement).toBe(
        `s₁ = ${S1.length} < spark(W₁) = ∞ (full column rank); rank(W₀^{S₁}) = n₀ ≤ s₁ (rank 2, n₀ = 2, s₁ = ${S1.length})`,
      );
    }
  });

  it('two equal columns in W_1: spark 2, so s_1 = 3 < spark/2 fails with the certified bound in the statement', () => {
    const W1 = [...H4, [0, 0, 0, 0], [0, 0, 0, 0]].map((r) => [r[0], r[1], r[2], r[1]]);
    const e = evaluateSignal(prepare(net([W0a, W1])), { supports: [idx(0, 1, 3)], knownRows: all6 });
    const l = e.layers[0];
    expect(l.spark.fullColumnRank).toBe(false);
    expect(l.spark.rank).toBe(3);
    expect(l.spark.lower).toBeCloseTo(2, 12);
    expect(l.coherence).toBeCloseTo(1, 12);
    expect(e.theorem1).toBe(false);
    expect(l.theorem1.failed).toEqual(['s₁ = 3 < spark(W₁)/2 (certified ≥ 1)']);
    // Theorem 2 looks only at sparsity levels and still holds; Theorem 3 fails (μ = 1 needs s_1 < 1/3).
    expect(e.theorem2).toBe(true);
    expect(l.theorem3.failed).toEqual(['s₁ = 3 < 1/(3μ(W₁)) = 0.333 (μ = 1)']);
  });

  it('s_L ≥ n: Theorem 2 (i) fails at the last layer, and a wide W_L is not of full column rank', () => {
    // n0 = 2 → n1 = 8 → n = 6, W_1 Gaussian 6×8 (spark 7 generically).
    const rng = createRng(21);
    const W1 = Array.from({ length: 6 }, () => Array.from({ length: 8 }, () => rng.gaussian()));
    const W0 = Array.from({ length: 8 }, () => [rng.gaussian(), rng.gaussian()]);
    const e = evaluateSignal(prepare(net([W0, W1])), { supports: [idx(0, 1, 2, 3, 4, 5, 6)], knownRows: range(6) });
    const l = e.layers[0];
    expect(e.theorem2).toBe(false);
    expect(l.theorem2.failed).toEqual(['s₁ = 7 < n = 6']);
    expect(l.spark.rank).toBe(6);
    expect(l.spark.fullColumnRank).toBe(false);
    expect(l.spark.lower).toBeLessThanOrEqual(7);
    expect(e.theorem1).toBe(false);
    expect(l.theorem1.failed).toHaveLength(1);
    expect(l.theorem1.failed[0]).toMatch(/^s₁ = 7 < spark\(W₁\)\/2 \(certified ≥ [0-9.]+\)$/);
  });

  it('names the rows of a middle layer W_i^{S_{i+1}} and checks s_i < s_{i+1}', () => {
    // Two hidden layers: S_2 = {0} makes W_1^{S_2} a single row (rank 1, spark 2), and s_1 = 3 > s_2 = 1.
    const e = evaluateSignal(prepare(certNet()), { supports: [idx(0, 1, 2), idx(0)], knownRows: range(10) });
    const l1 = e.layers[0];
    expect(l1.theorem2.failed).toEqual(['s₁ = 3 < s₂ = 1']);
    expect(l1.spark.rank).toBe(1);
    expect(l1.theorem1.failed[0]).toMatch(/^s₁ = 3 < spark\(W₁\^\{S₂\}\)\/2 \(certified ≥ [0-9.]+\)$/);
    expect(l1.theorem3.statement).toContain('1/(3μ(W₁^{S₂}))');
    // Layer 2 (the last) is fine: W_2 has full column rank and s_2 = 1 < n = 10.
    expect(e.layers[1].theorem1.holds).toBe(true);
    expect(e.layers[1].theorem2.statement).toBe('s₂ = 1 < n = 10');
  });
});

describe('supportedSpark and gramExtremes', () => {
  const gen = randomGaussianGenerator([6, 10, 14], { kind: 'identity' }, 3);
  const layer = prepare(gen)[1];

  it('equals sparkLowerBound on the explicitly gathered rows, for row subsets narrower and wider than the columns', () => {
    const rng = createRng(9);
    for (const size of [1, 4, 9, 10, 12, 13]) {
      const perm = Array.from({ length: 14 }, (_, i) => i);
      for (let i = 13; i > 0; i--) {
        const k = Math.floor(rng.uniform() * (i + 1));
        [perm[i], perm[k]] = [perm[k], perm[i]];
      }
      const rows = Int32Array.from(perm.slice(0, size)).sort();
      const gathered = mat(sub(layer.W, rows, range(10)));
      const expected = sparkLowerBound(normalizedGram(gathered, transpose(gathered)), numericalRank(gathered));
      const got = supportedSpark(layer, rows);
      expect(got.rank).toBe(Math.min(size, 10));
      expect(got.fullColumnRank).toBe(size >= 10);
      expect(got.lower).toBe(expected.lower);
      expect(got.coherence).toBeCloseTo(expected.coherence, 12);
      expect(got.fromBabel).toBe(expected.fromBabel);
    }
  });

  it('with every row gives the same bound each time (full column rank: ∞)', () => {
    const a = supportedSpark(layer, range(14));
    expect(a.lower).toBe(Number.POSITIVE_INFINITY);
    expect(supportedSpark(layer, range(14))).toEqual(a);
  });

  it('gramExtremes are the extreme eigenvalues of W[rows, cols]ᵀW[rows, cols]', () => {
    for (const [rows, cols] of [
      [idx(0, 2, 3, 5, 7, 8, 11, 13), idx(1, 4, 6)],
      [range(14), range(10)],
      [idx(1, 2, 3), idx(0, 9)],
    ]) {
      const A = sub(layer.W, rows, cols);
      const ev = symmetricEigen(mul(tr(A), A));
      const { min, max } = gramExtremes(layer, rows, cols);
      expect(min).toBeCloseTo(ev[0], 10);
      expect(max).toBeCloseTo(ev[ev.length - 1], 10);
    }
  });
});

describe('theorem3Bounds (hand-computed)', () => {
  it('ε_1 = (3 + √1.5)·√s_1·ℓε / min_j ‖W_1[known, j]‖ and ‖ẑ − z‖ ≤ ε_1/√λ_min(W_0^{S_1}ᵀW_0^{S_1})', () => {
    // Every column of [H₄; 0; 0] has norm 2; rows {2, 3} of W_0 are [1 1; 1 −1] with Gram 2·I.
    const b = theorem3Bounds(layersA, { supports: [idx(2, 3)], knownRows: all6 }, 0.1, 1.5);
    const eps1 = ((3 + Math.sqrt(1.5)) * Math.sqrt(2) * 1.5 * 0.1) / 2;
    expect(b.layers).toHaveLength(1);
    expect(b.layers[0]).toBeCloseTo(eps1, 14);
    expect(b.z).toBeCloseTo(eps1 / Math.sqrt(2), 14);
    // Rank-deficient W_0^{S_1}: no bound on z.
    expect(theorem3Bounds(layersA, { supports: [idx(2)], knownRows: all6 }, 0.1, 1).z).toBe(Number.POSITIVE_INFINITY);
  });
});

// ---------------------------------------------------------------------------
// certifyUniqueness
// ---------------------------------------------------------------------------

/**
 * n0 = 2 → n1 = 6 → n2 = 8 → n = 10, zero biases, identity output. For z = (1, 0.5):
 * x_1 = (1, 0.5, 1.5, 0, 0, 0), S_1 = {0, 1, 2}; x_2 = (4, 3.5, 4.5, 3, 3, 3, 0, 0), S_2 = {0 … 5};
 * W_1^{S_2} = I + 1·(1,1,1,0,0,0) (det 4: full column rank); W_2 = [I₈; 1ᵀ; vᵀ] with v_6 = v_7 = 0.
 */
function certNet(duplicateMiddle = false): Net {
  const W0 = [
    [1, 0],
    [0, 1],
    [1, 1],
    [-1, 0],
    [0, -1],
    [-1, -1],
  ];
  const W1 = Array.from({ length: 8 }, (_, r) =>
    Array.from({ length: 6 }, (_, c) => (r >= 6 ? -1 : (r === c ? 1 : 0) + (c < 3 ? 1 : 0))),
  );
  // Column 5 := column 4: W_1^{S_2} gets two identical columns (spark 2), while x_2 is unchanged (x_1[4] = x_1[5] = 0).
  if (duplicateMiddle) for (const row of W1) row[5] = row[4];
  const W2 = [
    ...Array.from({ length: 8 }, (_, r) => Array.from({ length: 8 }, (_, c) => (r === c ? 1 : 0))),
    [1, 1, 1, 1, 1, 1, 1, 1],
    [1, 2, 3, 4, 5, 6, 0, 0],
  ];
  return net([W0, W1, W2]);
}

/** Recovers z from the clean G(z) with the layer-wise Oracle and returns G(ẑ)'s hidden layers. */
function recovered(gen: Net, z: number[]) {
  const Z = matrix(z.length, 1, Float64Array.from(z));
  const truth = forward(gen, Z);
  const obs = observe(truth.output, { kind: 'none' }, { kind: 'none' }, 1);
  const result = invert(gen, obs, 'oracle', {}, truth.hidden);
  return { zHat: columnOf(result.z, 0), hidden: forward(gen, result.z).hidden, truth };
}

describe('certifyUniqueness', () => {
  it('certifies a recovered solution on a net that satisfies Theorem 1', () => {
    const gen = certNet();
    const { zHat, hidden, truth } = recovered(gen, [1, 0.5]);
    expect(zHat[0]).toBeCloseTo(1, 12);
    expect(zHat[1]).toBeCloseTo(0.5, 12);
    expect(supportsOf(truth.hidden, 0).map((s) => Array.from(s))).toEqual([
      [0, 1, 2],
      [0, 1, 2, 3, 4, 5],
    ]);
    const cert = certifyUniqueness(prepare(gen), hidden, 0, range(10));
    expect(cert.certified).toBe(true);
    expect(cert.theorem).toBe('Theorem 1');
    expect(cert.theorem2).toBe(true);
    expect(cert.failing).toBeUndefined();
    expect(cert.sparsity).toEqual([3, 6]);
  });

  it('does not certify when the middle layer fails (W_1^{S_2} has two identical columns) and names layer 1', () => {
    const gen = certNet(true);
    const { zHat, hidden } = recovered(gen, [1, 0.5]);
    expect(zHat[0]).toBeCloseTo(1, 12);
    const cert = certifyUniqueness(prepare(gen), hidden, 0, range(10));
    expect(cert.certified).toBe(false);
    expect(cert.theorem).toBeUndefined();
    expect(cert.failing?.layer).toBe(1);
    expect(cert.failing?.condition).toContain('s₁ = 3 < spark(W₁^{S₂})/2 (certified ≥ 1)');
    // Theorem 2 only counts: 2 ≤ 3 < 6 < 10.
    expect(cert.theorem2).toBe(true);
    expect(cert.sparsity).toEqual([3, 6]);
  });

  it('names the last layer when the known pixels make two columns of W_L identical', () => {
    // Known rows {0 … 5, 8, 9}: columns 6 and 7 of W_2 become (0 … 0, 1, 0) both (unit norm: no rounding in μ = 1).
    const gen = certNet();
    const { hidden } = recovered(gen, [1, 0.5]);
    const cert = certifyUniqueness(prepare(gen), hidden, 0, idx(0, 1, 2, 3, 4, 5, 8, 9));
    expect(cert.certified).toBe(false);
    expect(cert.failing?.layer).toBe(2);
    expect(cert.failing?.condition).toBe('s₂ = 6 < spark(W₂)/2 (certified ≥ 1)');
  });

  it('when several layers fail, names the first (layer 1 before layer 2)', () => {
    const gen = certNet(true);
    const { hidden } = recovered(gen, [1, 0.5]);
    const known = idx(0, 1, 2, 3, 4, 5, 8, 9);
    const e = evaluateSignal(prepare(gen), { supports: supportsOf(hidden, 0), knownRows: known });
    expect(e.layers.map((l) => l.theorem1.holds)).toEqual([false, false]);
    const cert = certifyUniqueness(prepare(gen), hidden, 0, known);
    expect(cert.failing?.layer).toBe(1);
    expect(cert.failing?.condition).toBe(e.layers[0].theorem1.failed[0]);
  });

  it('reads the supports of column j of a batch', () => {
    const gen = certNet();
    // Column 0: z = (1, 0.5) as above; column 1: z = (−1, −1) → S_1 = {3, 4, 5}; x_2 = W_1 x_1 has rows 0 … 5 = e_r·x_1
    // (x_1 is zero on 0 … 2), so S_2 = {3, 4, 5} and s_1 = 3 < spark(W_1^{S_2})/2 fails.
    const Z = matrix(2, 2, Float64Array.from([1, -1, 0.5, -1]));
    const pass = forward(gen, Z);
    const c0 = certifyUniqueness(prepare(gen), pass.hidden, 0, range(10));
    const c1 = certifyUniqueness(prepare(gen), pass.hidden, 1, range(10));
    expect(c0.certified).toBe(true);
    expect(c1.sparsity).toEqual([3, 3]);
    expect(c1.certified).toBe(false);
    expect(c1.failing?.layer).toBe(1);
    expect(c1.theorem2).toBe(false);
  });

  // Regression, fixed (src/core/theory/coherence.ts sparkLowerBound, reached through supportedSpark / evaluateSignal):
  // a zero column of W_L (a hidden unit with no outgoing weights) makes spark(W_L) = 1, but the bound ignores
  // zero columns: here μ of the other two (orthogonal) columns is 0, so lower = min(∞, rank + 1) = 3 and
  // s_1 = 1 < 3/2 "holds". The certificate then claims Theorem 1 proves uniqueness, yet z = 1 and z = 2 give
  // the same output (0) with the same supports. Expected certified: false.
  it('does not certify a solution that is provably not unique (zero column in W_L)', () => {
    const gen = net([
      [[1], [-1], [-2]],
      [
        [0, 1, 0],
        [0, 0, 1],
        [0, 1, 1],
        [0, 1, -1],
      ],
    ]);
    const a = forward(gen, matrix(1, 2, Float64Array.from([1, 2])));
    // Same supports ({0}), same output for both z.
    expect(Array.from(supportsOf(a.hidden, 0)[0])).toEqual([0]);
    expect(Array.from(supportsOf(a.hidden, 1)[0])).toEqual([0]);
    expect(columnOf(a.output, 0)).toEqual(columnOf(a.output, 1));
    const cert = certifyUniqueness(prepare(gen), a.hidden, 0, range(4));
    expect(cert.certified).toBe(false);
  });

  // Regression, fixed (src/core/theory/coherence.ts sparkLowerBound, rounding): columns 0 and 1 of W_1 are identical, (1, 7, 0, 0),
  // so spark(W_1) = 2 and s_1 = 1 < spark/2 = 1 is false. But G_01 rounds to 0.9999999999999999 < 1, so the Babel
  // bound skips k = 2 and lower = min(max(2, 4), rank + 1 = 3) = 3: "s_1 = 1 < 1.5" holds and ẑ is certified.
  // z = 1 and z = −1 give the same output (1, 7, 0, 0) with s_1 = 1 each. Expected certified: false.
  it('does not certify when two identical columns of W_L make G(1) = G(−1) (rounding)', () => {
    const gen = net([
      [[1], [-1], [0]],
      [
        [1, 1, 0],
        [7, 7, 0],
        [0, 0, 1],
        [0, 0, 1],
      ],
    ]);
    const a = forward(gen, matrix(1, 2, Float64Array.from([1, -1])));
    expect(supportsOf(a.hidden, 0)[0]).toHaveLength(1);
    expect(supportsOf(a.hidden, 1)[0]).toHaveLength(1);
    expect(columnOf(a.output, 0)).toEqual(columnOf(a.output, 1));
    expect(certifyUniqueness(prepare(gen), a.hidden, 0, range(4)).certified).toBe(false);
  });

  // Regression, fixed (src/core/theory/theorems.ts evaluateSignal): Theorem 2 (i) is checked as s_L < n with
  // n = W_L.rows, ignoring knownRows; under a mask the measurement matrix is W_L[known, :] and the condition is
  // s_L < |known|. Here 5 known pixels and s_2 = 6: W_2[known, S_2] is 5×6, so x_2 is not determined on its
  // support, but theorem2 reports true. Expected theorem2: false.
  it('Theorem 2 (i) uses the number of known pixels under a mask', () => {
    const gen = certNet();
    const { hidden } = recovered(gen, [1, 0.5]);
    const cert = certifyUniqueness(prepare(gen), hidden, 0, idx(0, 1, 2, 3, 4));
    expect(cert.sparsity).toEqual([3, 6]);
    expect(cert.theorem2).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Theorem 4: the layer-wise Oracle's mean squared error under Gaussian noise
// ---------------------------------------------------------------------------

/**
 * Runs the Oracle on `trials` noisy observations of the same G(z) and returns, per index
 * (0 = z, i = layer i), the measured mean squared error with its standard error, the exact
 * expectation σ²‖W̃_i⁺ ⋯ W̃_L⁺‖_F² (the Oracle is linear in the noise), and Theorem 4's bounds.
 */
function theorem4Experiment(dims: number[], seed: number, zSeed: number, sigma: number, trials: number) {
  const gen = randomGaussianGenerator(dims, { kind: 'identity' }, seed);
  const layers = prepare(gen);
  const L = layers.length - 1;
  const n0 = dims[0];
  const n = dims[dims.length - 1];
  const z0 = createRng(zSeed).fillGaussian(new Float64Array(n0));
  const Z = matrix(n0, trials);
  for (let i = 0; i < n0; i++) Z.data.fill(z0[i], i * trials, (i + 1) * trials);
  const truth = forward(gen, Z);
  const supports = supportsOf(truth.hidden, 0);
  // Precondition: s_1 ≥ n_0, so W̃_0 = W_0^{S_1} can have full column rank (the Oracle needs it).
  expect(supports[0].length).toBeGreaterThanOrEqual(n0);
  const obs = observe(truth.output, { kind: 'gaussian', sigma }, { kind: 'none' }, 17);
  const result = invert(gen, obs, 'oracle', {}, truth.hidden);
  expect(result.signals.every((s) => s.stopReason === 'exact')).toBe(true);

  const estimates = [result.z, ...result.layers];
  const truths = [Z, ...truth.hidden];
  const measured = estimates.map((est, i) => {
    const errs = Array.from({ length: trials }, (_, j) => {
      let s = 0;
      for (let r = 0; r < est.rows; r++) s += (est.data[r * trials + j] - truths[i].data[r * trials + j]) ** 2;
      return s;
    });
    const mean = errs.reduce((a, b) => a + b, 0) / trials;
    const variance = errs.reduce((a, b) => a + (b - mean) ** 2, 0) / (trials - 1);
    return { mean, stderr: Math.sqrt(variance / trials) };
  });

  // Exact E‖x̂_i − x_i‖² = σ²‖W̃_i⁺ W̃_{i+1}⁺ ⋯ W̃_L⁺‖_F², W̃_j = W_j[S_{j+1}, S_j] (S_{L+1}: all pixels, S_0: all of z).
  const rowsOf = (j: number) => (j === L ? range(n) : supports[j]);
  const colsOf = (j: number) => (j === 0 ? range(n0) : supports[j - 1]);
  const pinvs = layers.map((l, j) => pinv(sub(l.W, rowsOf(j), colsOf(j))));
  const exact: number[] = [];
  for (let i = 0; i <= L; i++) {
    let P = pinvs[i];
    for (let j = i + 1; j <= L; j++) P = mul(P, pinvs[j]);
    exact.push(sigma * sigma * P.flat().reduce((s, v) => s + v * v, 0));
  }
  const bounds = theorem4Bounds(layers, { supports, knownRows: range(n) }, sigma);
  return { gen, layers, supports, measured, exact, bounds, L };
}

describe('Theorem 4 (Oracle under Gaussian noise σ = 0.01): the bounds bracket the measured MSE', () => {
  it('random [4, 12, 30] identity, seed 1, one z, 512 noise draws: layer 1 and z', () => {
    const t = theorem4Experiment([4, 12, 30], 1, 1, 0.01, 512);
    expect(t.supports[0]).toHaveLength(6);
    expect(t.bounds).toHaveLength(2);
    for (let i = 0; i <= t.L; i++) {
      const { lower, upper } = t.bounds[i];
      const { mean, stderr } = t.measured[i];
      expect(lower).toBeGreaterThan(0);
      expect(lower).toBeLessThanOrEqual(t.exact[i]);
      expect(t.exact[i]).toBeLessThanOrEqual(upper);
      // The Monte-Carlo mean estimates the exact expectation (within 4 standard errors) …
      expect(Math.abs(mean - t.exact[i])).toBeLessThan(4 * stderr);
      // … and lies between the bounds.
      expect(lower).toBeLessThanOrEqual(mean);
      expect(mean).toBeLessThanOrEqual(upper);
    }
    // Last layer: E‖x̂_1 − x_1‖² = σ² tr((W̃_1ᵀW̃_1)⁻¹), between σ²s_1/λ_max and σ²s_1/λ_min — the bound's own ingredients.
    const s1 = t.supports[0].length;
    const { min, max } = gramExtremes(t.layers[1], range(30), t.supports[0]);
    expect(t.bounds[1].lower).toBeCloseTo((1e-4 * s1) / max, 15);
    expect(t.bounds[1].upper).toBeCloseTo((1e-4 * s1) / min, 15);
  });

  it('random [4, 12, 30, 60] identity, seed 2: both hidden layers and z', () => {
    const t = theorem4Experiment([4, 12, 30, 60], 2, 3, 0.01, 512);
    expect(t.supports.map((x) => x.length)).toEqual([6, 17]);
    expect(t.bounds).toHaveLength(3);
    for (let i = 0; i <= t.L; i++) {
      const { lower, upper } = t.bounds[i];
      const { mean, stderr } = t.measured[i];
      expect(lower).toBeLessThanOrEqual(t.exact[i]);
      expect(t.exact[i]).toBeLessThanOrEqual(upper);
      expect(Math.abs(mean - t.exact[i])).toBeLessThan(4 * stderr);
      expect(lower).toBeLessThanOrEqual(mean);
      expect(mean).toBeLessThanOrEqual(upper);
    }
    // The bounds are exactly σ² s_i / Π_{j=i}^{L} λ_max and λ_min of W̃_jᵀW̃_j, from independently computed eigenvalues.
    const n0 = 4;
    const rowsOf = (j: number) => (j === t.L ? range(60) : t.supports[j]);
    const colsOf = (j: number) => (j === 0 ? range(n0) : t.supports[j - 1]);
    const eig = t.layers.map((l, j) => {
      const A = sub(l.W, rowsOf(j), colsOf(j));
      return symmetricEigen(mul(tr(A), A));
    });
    for (let i = 0; i <= t.L; i++) {
      let maxProduct = 1;
      let minProduct = 1;
      for (let j = i; j <= t.L; j++) {
        maxProduct *= eig[j][eig[j].length - 1];
        minProduct *= eig[j][0];
      }
      const size = i === 0 ? n0 : t.supports[i - 1].length;
      expect(t.bounds[i].lower / ((1e-4 * size) / maxProduct)).toBeCloseTo(1, 10);
      expect(t.bounds[i].upper / ((1e-4 * size) / minProduct)).toBeCloseTo(1, 10);
    }
    // The bounds widen towards z (each layer multiplies in one more Gram factor).
    expect(t.bounds[0].upper / t.bounds[0].lower).toBeGreaterThan(t.bounds[2].upper / t.bounds[2].lower);
  });

  it('on a net with orthogonal supported blocks the bounds are equal and the measurement matches them', () => {
    // W_0 rows (−1 0), (0 −1), (1 1), (1 −1) and z = (2, 1): S_1 = {2, 3}. W̃_1 = [H₄; 0; 0][:, {2, 3}] has Gram 4·I
    // and W̃_0 = [1 1; 1 −1] has Gram 2·I, so E‖x̂_1 − x_1‖² = σ²·2/4 and E‖ẑ − z‖² = σ²·2/(4·2), both bounds equal.
    const sigma = 0.01;
    const gen = net([
      [
        [-1, 0],
        [0, -1],
        [1, 1],
        [1, -1],
      ],
      [...H4, [0, 0, 0, 0], [0, 0, 0, 0]],
    ]);
    const b = theorem4Bounds(prepare(gen), { supports: [idx(2, 3)], knownRows: all6 }, sigma);
    expect(b[1].lower).toBeCloseTo((sigma * sigma * 2) / 4, 16);
    expect(b[1].upper).toBeCloseTo((sigma * sigma * 2) / 4, 16);
    expect(b[0].lower).toBeCloseTo((sigma * sigma * 2) / 8, 16);
    expect(b[0].upper).toBeCloseTo((sigma * sigma * 2) / 8, 16);
    const trials = 4096;
    const Z = matrix(2, trials);
    Z.data.fill(2, 0, trials);
    Z.data.fill(1, trials, 2 * trials);
    const truth = forward(gen, Z);
    expect(Array.from(supportsOf(truth.hidden, 0)[0])).toEqual([2, 3]);
    const obs = observe(truth.output, { kind: 'gaussian', sigma }, { kind: 'none' }, 3);
    const result = invert(gen, obs, 'oracle', {}, truth.hidden);
    const mse = (est: Matrix, ref: Matrix) => {
      let s = 0;
      for (let k = 0; k < est.data.length; k++) s += (est.data[k] - ref.data[k]) ** 2;
      return s / trials;
    };
    // Each MSE is σ²/c times a χ² with 2 degrees of freedom averaged over 4096 trials: relative std 1/√4096 ≈ 1.6%.
    expect(Math.abs(mse(result.layers[0], truth.hidden[0]) / ((sigma * sigma * 2) / 4) - 1)).toBeLessThan(0.07);
    expect(Math.abs(mse(result.z, Z) / ((sigma * sigma * 2) / 8) - 1)).toBeLessThan(0.07);
  });
});
