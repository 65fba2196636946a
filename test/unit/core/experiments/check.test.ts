import { describe, expect, it } from 'vitest';
import { createCheck, type CheckReport } from '../../../../src/core/experiments/check';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import type { Generator as Model } from '../../../../src/core/model/generator';
import { randomGaussianGenerator } from '../../../../src/core/model/random';

/** Every k-subset of 0 … n − 1. */
function* subsets(n: number, k: number, from = 0): Generator<number[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) yield [i, ...rest];
}

/** Rank by Gaussian elimination with partial pivoting (a tolerance relative to the largest entry). */
function rank(rows: number[][]): number {
  const a = rows.map((r) => [...r]);
  const m = a.length;
  const n = m ? a[0].length : 0;
  const tol = 1e-10 * Math.max(1, ...a.flat().map(Math.abs));
  let r = 0;
  for (let c = 0; c < n && r < m; c++) {
    let p = r;
    for (let i = r + 1; i < m; i++) if (Math.abs(a[i][c]) > Math.abs(a[p][c])) p = i;
    if (Math.abs(a[p][c]) <= tol) continue;
    [a[r], a[p]] = [a[p], a[r]];
    for (let i = r + 1; i < m; i++) {
      const f = a[i][c] / a[r][c];
      for (let j = c; j < n; j++) a[i][j] -= f * a[r][j];
    }
    r++;
  }
  return r;
}

/** The rows `rows` of a generator's W_i, as arrays. */
const rowsOf = (gen: Model, i: number, rows: number[]) => {
  const W = gen.layers[i].W;
  return rows.map((r) => Array.from(W.data.subarray(r * W.cols, (r + 1) * W.cols)));
};

/** Normalised Gram of the columns of A (rows given), explicitly. */
function gram(A: number[][]): number[][] {
  const n = A[0].length;
  const dot = (i: number, j: number) => A.reduce((s, r) => s + r[i] * r[j], 0);
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const d = Math.sqrt(dot(i, i) * dot(j, j));
      return d > 0 ? dot(i, j) / d : 0;
    }),
  );
}

/** μ₁(k) by enumerating every column j and every k-subset Λ of the other columns. */
function bruteBabel(G: number[][], k: number): number {
  const n = G.length;
  let best = 0;
  for (let j = 0; j < n; j++) {
    const others = Array.from({ length: n }, (_, i) => i).filter((i) => i !== j);
    for (const L of subsets(others.length, k))
      best = Math.max(
        best,
        L.reduce((s, q) => s + Math.abs(G[others[q]][j]), 0),
      );
  }
  return best;
}

/** spark(A) by brute force: the fewest linearly dependent columns (cols + 1 for full column rank). */
function bruteSpark(A: number[][]): number {
  const n = A[0].length;
  for (let k = 1; k <= n; k++) for (const T of subsets(n, k)) if (rank(A.map((r) => T.map((c) => r[c]))) < k) return k;
  return n + 1;
}

const medianOf = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  return (s[Math.floor(h)] + s[Math.ceil(h)]) / 2;
};

/** The samples' supports, drawn as createCheck draws them (one chunk: n₀ normals per sample, in order). */
function supportsOf(gen: Model, samples: number, seed: number): number[][][] {
  const rng = createRng(seed);
  const out: number[][][] = [];
  for (let j = 0; j < samples; j++) {
    const z = matrix(gen.inputDim, 1);
    for (let i = 0; i < gen.inputDim; i++) z.data[i] = rng.gaussian();
    const pass = forward(gen, z);
    out.push(pass.hidden.map((x) => Array.from(x.data.keys()).filter((r) => x.data[r] > 0)));
  }
  return out;
}

function run(gen: Model, samples: number, seed: number): CheckReport {
  const stepper = createCheck(gen, { samples, seed, chunkSize: 64 });
  while (stepper.done < stepper.total) stepper.step();
  return stepper.result('completed');
}

describe('check report: histogram, Babel function, spark bounds, condition parts', () => {
  // n₀ = 3, hidden 8 and 6, n = 10: W₁ is 6 × 8, small enough to enumerate every subset of its columns.
  const gen = randomGaussianGenerator([3, 8, 6, 10], { kind: 'identity' }, 4);
  const samples = 15;
  const report = run(gen, samples, 7);
  const supports = supportsOf(gen, samples, 7);

  it('carries n₀ and n, and s₁ per sample as counts per distinct value', () => {
    expect(report.n0).toBe(3);
    expect(report.n).toBe(10);
    for (const [i, layer] of report.layers.entries()) {
      const s = supports.map((x) => x[i].length);
      const values = [...new Set(s)].sort((a, b) => a - b);
      expect(layer.histogram.values).toEqual(values);
      expect(layer.histogram.counts).toEqual(values.map((v) => s.filter((x) => x === v).length));
      expect(layer.histogram.counts.reduce((a, b) => a + b, 0)).toBe(samples);
    }
  });

  it('μ₁(k) of W₁^{S₂}: median and max over samples equal the brute force over every subset; full W₁ too', () => {
    const l = report.layers[0];
    expect(l.babel.median).toHaveLength(7);
    const perSample = supports.map((x) => gram(rowsOf(gen, 1, x[1])));
    for (let k = 1; k <= 7; k++) {
      const values = perSample.map((G) => bruteBabel(G, k));
      expect(l.babel.median[k - 1]).toBeCloseTo(medianOf(values), 12);
      expect(l.babel.max[k - 1]).toBeCloseTo(Math.max(...values), 12);
      expect(l.babel.full[k - 1]).toBeCloseTo(bruteBabel(gram(rowsOf(gen, 1, [0, 1, 2, 3, 4, 5])), k), 12);
    }
    // μ₁(1) = μ.
    expect(l.babel.median[0]).toBeCloseTo(l.coherence, 12);
    // The last layer is W₂ itself (every pixel known, none saturated for identity φ): full and median agree.
    const last = report.layers[1];
    expect(last.babel.median).toEqual(last.babel.full);
    expect(last.rows).toBe(10);
  });

  it('the Babel spark bound is min{k : μ₁(k − 1) ≥ 1} and never exceeds the brute-force spark', () => {
    const bounds: number[] = [];
    for (const x of supports) {
      const A = rowsOf(gen, 1, x[1]);
      const G = gram(A);
      let b = 9;
      for (let k = 2; k <= 8; k++)
        if (bruteBabel(G, k - 1) * (1 + 1e-12) >= 1) {
          b = k;
          break;
        }
      bounds.push(b);
      expect(b).toBeLessThanOrEqual(bruteSpark(A));
    }
    expect(report.layers[0].spark.fromBabel).toBe(medianOf(bounds));
    // |S₂| ≤ 6 rows for 8 columns: W₁^{S₂} never has full column rank.
    expect(report.layers[0].spark.fullColumnRank).toBe(0);
  });

  it('condition parts: s₁ ≥ n₀ and s₁ < s₂ counted per sample; the theorems hold only where all parts hold', () => {
    const l = report.layers[0];
    expect(l.rows).toBe(medianOf(supports.map((x) => x[1].length)));
    expect(l.conditions.lower).toBe(supports.filter((x) => x[0].length >= 3).length / samples);
    expect(l.conditions.upper).toBe(supports.filter((x) => x[0].length < x[1].length).length / samples);
    expect(l.theorem2.passFraction).toBeLessThanOrEqual(Math.min(l.conditions.lower!, l.conditions.upper));
    expect(l.theorem1.passFraction).toBeLessThanOrEqual(Math.min(l.conditions.spark, l.conditions.rank!));
    expect(l.theorem3.passFraction).toBeLessThanOrEqual(Math.min(l.conditions.coherence, l.conditions.fullRank!));
  });

  it('the verdict sets its math as s₁ and n₀, never s_1', () => {
    const tooSparse = run(randomGaussianGenerator([100, 120, 625], { kind: 'tanh' }, 0), 8, 0);
    expect(tooSparse.verdict).toMatch(/s₁ = \d+ ≥ n₀ = 100/);
    expect(tooSparse.verdict).not.toMatch(/[sn]_\d|W_\d|S_\d/);
  });
});
