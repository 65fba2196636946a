import { describe, expect, it } from 'vitest';
import { transpose } from '../../../../src/core/linalg/dense';
import { gemm } from '../../../../src/core/linalg/gemm';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { activeSetLasso } from '../../../../src/core/pursuit/activeSet';
import { exactConstrainedCandidate, type ConstrainedLayerProblem } from '../../../../src/core/pursuit/admm';
import { createContext, outputSystem } from '../../../../src/core/pursuit/context';
import { invert } from '../../../../src/core/pursuit/methods';
import { leastSquaresStart } from '../../../../src/core/pursuit/warmStart';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const column = (m: Matrix, j: number) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);

describe('least-squares warm start of the last layer', () => {
  const gen = randomGaussianGenerator([8, 30, 60], { kind: 'tanh' }, 3);
  const count = 3;
  const z = matrix(8, count, createRng(4).fillGaussian(new Float64Array(8 * count)));
  const truth = forward(gen, z);

  it('is the true x_L on an injective layer without noise, and LP then stops on KKT at its first iteration', () => {
    const obs = observe(truth.output, { kind: 'none' }, { kind: 'none' }, 5);
    const ctx = createContext(gen, obs);
    const x0 = matrix(30, count);
    expect(leastSquaresStart(ctx, x0, true)).toBe(count);
    for (let j = 0; j < count; j++) expect(maxDiff(column(x0, j), column(truth.hidden[0], j))).toBeLessThan(1e-10);
    const lp = invert(gen, obs, 'lp');
    for (const s of lp.signals) {
      expect(s.phases[0].stopReason).toBe('kkt');
      expect(s.phases[0].iterations).toBe(1);
    }
  });

  it('solves on the known pixels where some are hidden, and leaves too few known pixels and wide layers alone', () => {
    // 40% hidden from 256 pixels: 154 known rows for 120 unknowns, each signal its own rows, so
    // one Gram factor per signal. Exact to rounding (50 CGLS iterations on 120 unknowns are not).
    const big = randomGaussianGenerator([10, 120, 256], { kind: 'tanh' }, 3);
    const zz = matrix(10, count, createRng(4).fillGaussian(new Float64Array(10 * count)));
    const t = forward(big, zz);
    const masked = observe(t.output, { kind: 'none' }, { kind: 'random', fraction: 0.4 }, 5);
    const x0 = matrix(120, count);
    expect(leastSquaresStart(createContext(big, masked), x0, true)).toBe(count);
    for (let j = 0; j < count; j++) expect(maxDiff(column(x0, j), column(t.hidden[0], j))).toBeLessThan(1e-9);
    // From that start LP's last layer meets the KKT conditions at its first iteration, as unmasked.
    for (const s of invert(big, masked, 'lp').signals) {
      expect(s.phases[0].stopReason).toBe('kkt');
      expect(s.phases[0].iterations).toBe(1);
    }
    // 60% hidden: 24 known rows for 30 unknowns, no unique least squares to start from.
    const sparse = observe(truth.output, { kind: 'none' }, { kind: 'random', fraction: 0.6 }, 5);
    const untouched = matrix(30, count);
    expect(leastSquaresStart(createContext(gen, sparse), untouched, true)).toBe(0);
    expect(untouched.data.every((v) => v === 0)).toBe(true);
    const wide = randomGaussianGenerator([8, 60, 40], { kind: 'identity' }, 3);
    const wideObs = observe(forward(wide, z).output, { kind: 'none' }, { kind: 'none' }, 5);
    expect(leastSquaresStart(createContext(wide, wideObs), matrix(60, count), true)).toBe(0);
  });

  it('shares one factor among the signals of a rows mask, each still its own exact least squares', () => {
    // 16×16 images, rows 0–5 hidden in every signal: 160 known rows for 120 unknowns.
    const square = randomGaussianGenerator([10, 120, 256], { kind: 'tanh' }, 7);
    const many = 5;
    const zz = matrix(10, many, createRng(8).fillGaussian(new Float64Array(10 * many)));
    const t = forward(square, zz);
    const obs = observe(t.output, { kind: 'none' }, { kind: 'rows', from: 0, to: 5 }, 5);
    const x0 = matrix(120, many);
    expect(leastSquaresStart(createContext(square, obs), x0, true)).toBe(many);
    for (let j = 0; j < many; j++) expect(maxDiff(column(x0, j), column(t.hidden[0], j))).toBeLessThan(1e-9);
  });

  it('falls back to CGLS where the known rows leave a column undetermined', () => {
    // Column 0 of the last layer lives only in the hidden rows 0–15: W[R,:]ᵀW[R,:] is singular
    // although WᵀW is not, so the factor fails and CGLS returns a least-squares solution.
    const square = randomGaussianGenerator([8, 30, 64], { kind: 'identity' }, 9);
    const out = square.layers[1];
    for (let r = 16; r < 64; r++) out.W.data[r * 30] = 0;
    const zz = matrix(8, 2, createRng(10).fillGaussian(new Float64Array(16)));
    const obs = observe(forward(square, zz).output, { kind: 'none' }, { kind: 'rows', from: 0, to: 1 }, 5);
    const ctx = createContext(square, obs);
    const x0 = matrix(30, 2);
    expect(leastSquaresStart(ctx, x0, false)).toBe(2);
    const last = ctx.layers[1];
    for (let j = 0; j < 2; j++) {
      const { target, equations } = outputSystem(ctx, j);
      const x = column(x0, j);
      // Normal equations on the known rows: W[R,:]ᵀ(c − W[R,:] x) = 0.
      const grad = new Float64Array(30);
      let scale = 0;
      for (const r of equations) {
        let res = target[r];
        for (let k = 0; k < 30; k++) res -= last.W.data[r * 30 + k] * x[k];
        for (let k = 0; k < 30; k++) grad[k] += last.W.data[r * 30 + k] * res;
        for (let k = 0; k < 30; k++) scale = Math.max(scale, Math.abs(last.W.data[r * 30 + k] * target[r]));
      }
      expect(Math.max(...Array.from(grad, Math.abs))).toBeLessThan(1e-8 * scale * equations.length);
    }
  });
});

/** W (m × n, entries N(0, 1/m)), and c = W x + noise for an x ≥ 0 with every third entry set. */
function noisySparseProblem(m: number, n: number, seed: number) {
  const W = matrix(m, n, createRng(seed).fillGaussian(new Float64Array(m * n), 1 / Math.sqrt(m)));
  const xTrue = new Float64Array(n);
  for (let k = 0; k < n; k += 3) xTrue[k] = 1 + (k % 5);
  const noise = createRng(seed + 1).fillGaussian(new Float64Array(m), 0.05);
  const c = Float64Array.from(noise, (e, r) => {
    let s = e;
    for (let k = 0; k < n; k++) s += W.data[r * n + k] * xTrue[k];
    return s;
  });
  return { W, Wt: transpose(W), c };
}

/** KKT of min ½‖c_R − W[R,:] x‖² + λ1ᵀx, x ≥ 0, from the true residual. */
function expectNonnegativeLassoKkt(W: Matrix, rows: Int32Array, c: Float64Array, x: Float64Array, lambda: number) {
  const n = W.cols;
  for (let k = 0; k < n; k++) {
    let g = 0;
    for (const r of rows) {
      let p = 0;
      for (let q = 0; q < n; q++) p += W.data[r * n + q] * x[q];
      g -= W.data[r * n + k] * (c[r] - p);
    }
    if (x[k] > 0) expect(Math.abs(g + lambda)).toBeLessThan(1e-9);
    else expect(g + lambda).toBeGreaterThan(-1e-9);
  }
}

describe('active-set rounds in the Gram matrix’s terms', () => {
  it('reach the same minimiser as the rounds on the true residual, from a guess that must shed many entries', () => {
    const { W, Wt, c } = noisySparseProblem(60, 40, 11);
    const gram = gemm(Wt, W, matrix(40, 40));
    for (const lambda of [0, 0.05]) {
      const problem = { W, Wt, rows: all(60), target: c, lambda, nonnegative: true, guess: all(40) };
      const withGram = activeSetLasso({ ...problem, gram })!;
      const withResidual = activeSetLasso(problem)!;
      expect(withGram).toBeDefined();
      expect(withResidual).toBeDefined();
      expect(maxDiff(withGram, withResidual)).toBeLessThan(1e-12);
      expectNonnegativeLassoKkt(W, all(60), c, withGram, lambda);
    }
  });

  it('on a subset of the rows, reach the same minimiser through the subset’s Gram matrix (a large guess) as on the true residual (a small one)', () => {
    const { W, Wt, c } = noisySparseProblem(90, 40, 31);
    // Every other row from the tenth, and every row from the sixtieth: 55 of 90 rows, for 40 unknowns.
    const rows = all(90).filter((r) => (r >= 10 && r % 2 === 0) || r >= 60);
    for (const lambda of [0, 0.05]) {
      const problem = { W, Wt, rows, target: c, lambda, nonnegative: true };
      // n ≤ 2|guess|: the rounds run on W[R,:]ᵀW[R,:]; from a guess of 3 they run on the residual.
      const fromWide = activeSetLasso({ ...problem, guess: all(40) })!;
      const fromNarrow = activeSetLasso({ ...problem, guess: Int32Array.of(0, 3, 6), maxRounds: 200 })!;
      expect(fromWide).toBeDefined();
      expect(fromNarrow).toBeDefined();
      expect(maxDiff(fromWide, fromNarrow)).toBeLessThan(1e-12);
      expectNonnegativeLassoKkt(W, rows, c, fromWide, lambda);
    }
  });
});

describe('the constrained layer candidate', () => {
  it('takes a row whose estimate is positive but below the support tolerance into its equations', () => {
    // x̂_{i+1} = ReLU(W x + b) with one entry of 1e-8 of the largest: read as off the support.
    const m = 12;
    const n = 4;
    const W = matrix(m, n, createRng(21).fillGaussian(new Float64Array(m * n)));
    const x = Float64Array.of(1, 0.5, 2, 0.25);
    const b = new Float64Array(m);
    const next = matrix(m, 1);
    let max = 0;
    for (let r = 0; r < m; r++) {
      let p = 0;
      for (let k = 0; k < n; k++) p += W.data[r * n + k] * x[k];
      next.data[r] = Math.max(p, 0);
      max = Math.max(max, p);
    }
    // Shift one negative row's bias so its pre-activation is a tiny positive number.
    const tiny = Array.from({ length: m }, (_, r) => r).find((r) => next.data[r] === 0)!;
    let p = 0;
    for (let k = 0; k < n; k++) p += W.data[tiny * n + k] * x[k];
    b[tiny] = -p + 1e-8 * max;
    next.data[tiny] = 1e-8 * max;
    const rowMask = Uint8Array.from(next.data, (v) => (v > 1e-6 * max ? 1 : 0));
    expect(rowMask[tiny]).toBe(0);
    const problem: ConstrainedLayerProblem = {
      W,
      Wt: transpose(W),
      bias: b,
      next,
      rowMask,
      nonnegative: true,
      lambda: 0,
      gamma: 0,
      lambdaMax: 100,
    };
    const info = { widened: 0 };
    const cand = exactConstrainedCandidate(problem, 0, all(n), 1e-9, info);
    expect(cand).toBeDefined();
    expect(info.widened).toBe(1);
    expect(maxDiff(cand!, x)).toBeLessThan(1e-9);
  });
});
