import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { openModel } from '../../src/core/formats';
import { matrix } from '../../src/core/linalg/matrix';
import { numericalRank } from '../../src/core/linalg/qr';
import { createRng } from '../../src/core/linalg/rng';
import { relativeError } from '../../src/core/metrics';
import type { OutputActivation } from '../../src/core/model/activations';
import { forward } from '../../src/core/model/forward';
import type { Generator } from '../../src/core/model/generator';
import { observe } from '../../src/core/model/observation';
import { randomGaussianGenerator } from '../../src/core/model/random';
import { createContext, outputSystem } from '../../src/core/pursuit/context';
import { invert } from '../../src/core/pursuit/methods';
import { trueSupports } from '../../src/core/pursuit/oracle';
import { fixturePath } from '../helpers/fixtures';

// Whole solvers on 8 signals of a 784-pixel generator: a few seconds each here; allow a slower machine.
vi.setConfig({ testTimeout: 300_000 });

const column = (m: { rows: number; cols: number; data: Float64Array }, j: number) =>
  Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
const relErr = (a: Float64Array, b: Float64Array) => relativeError(a, b);

/**
 * A 20-128-392-784 generator whose output saturates for a known share of
 * pixels: the paper's random family with the last layer's weights scaled up,
 * so pre-activations spread past ±9 (tanh's default threshold).
 */
function saturatingGenerator(output: OutputActivation, scale: number): Generator {
  const gen = randomGaussianGenerator([20, 128, 392, 784], output, 0);
  const last = gen.layers[gen.layers.length - 1];
  for (let i = 0; i < last.W.data.length; i++) last.W.data[i] *= scale;
  return gen;
}

describe('saturated pixels in the inversion methods', () => {
  const count = 8;

  function setup(output: OutputActivation, scale: number, noise = 0) {
    const gen = saturatingGenerator(output, scale);
    const z = matrix(20, count, createRng(7).fillGaussian(new Float64Array(20 * count)));
    const truth = forward(gen, z);
    const obs = observe(
      truth.output,
      noise > 0 ? { kind: 'gaussian', sigma: noise } : { kind: 'none' },
      { kind: 'none' },
      3,
    );
    return { gen, z, truth, obs };
  }

  const tanhCase = setup({ kind: 'tanh' }, 15);

  it('the test generator saturates for a substantial share of pixels', () => {
    const ctx = createContext(tanhCase.gen, tanhCase.obs);
    const share = ctx.saturation.counts.reduce((a, b) => a + b, 0) / (784 * count);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.4);
  });

  it('the layer-wise Oracle recovers every signal whose unsaturated pixels determine the last layer', () => {
    const { gen, z, truth, obs } = tanhCase;
    const ctx = createContext(gen, obs);
    const result = invert(gen, obs, 'oracle', {}, truth.hidden);
    let recoverable = 0;
    for (let j = 0; j < count; j++) {
      const SL = trueSupports(truth.hidden, j)[1];
      const rows = ctx.equationRows(j);
      const W = gen.layers[2].W;
      const block = new Float64Array(rows.length * SL.length);
      rows.forEach((r, a) => SL.forEach((c, b) => (block[a * SL.length + b] = W.data[r * W.cols + c])));
      if (numericalRank(matrix(rows.length, SL.length, block)) < SL.length) continue;
      recoverable++;
      expect(result.signals[j].stopReason).toBe('exact');
      expect(relErr(column(result.z, j), column(z, j))).toBeLessThan(1e-6);
    }
    expect(recoverable).toBe(count);
    expect(result.signals.every((s) => s.saturated > 0)).toBe(true);
  });

  for (const [name, output, scale] of [
    ['tanh', { kind: 'tanh' }, 15],
    ['sigmoid', { kind: 'sigmoid' }, 30],
  ] as const) {
    it(`LBP and LP recover at least 90% of clean signals of a saturating ${name} generator`, () => {
      const c = name === 'tanh' ? tanhCase : setup(output, scale);
      const saturated = createContext(c.gen, c.obs).saturation.counts;
      expect(Math.min(...saturated)).toBeGreaterThan(20);
      for (const method of ['lbp', 'lp'] as const) {
        const result = invert(c.gen, c.obs, method);
        const ok = Array.from({ length: count }, (_, j) => relErr(column(result.z, j), column(c.z, j)) < 1e-6);
        expect(ok.filter(Boolean).length / count, method).toBeGreaterThanOrEqual(0.9);
        // Stopped on a stated rule, not at an iteration cap.
        expect(result.signals.every((s) => s.stopReason !== 'max-iterations')).toBe(true);
      }
    });
  }
});

describe('a saturating generator trained in PyTorch (mnist-tanh-gan.onnx, tanh output)', () => {
  const gen = openModel(
    new Uint8Array(readFileSync(fixturePath('pytorch/mnist-tanh-gan.onnx'))),
    'mnist-tanh-gan.onnx',
  ).generator;
  const count = 16;
  const z = matrix(20, count, createRng(11).fillGaussian(new Float64Array(20 * count)));
  const truth = forward(gen, z);
  const obs = observe(truth.output, { kind: 'none' }, { kind: 'none' }, 1);
  const ctx = createContext(gen, obs);

  it('saturates a fifth of its pixels or so', () => {
    const share = ctx.saturation.counts.reduce((a, b) => a + b, 0) / (784 * count);
    expect(share).toBeGreaterThan(0.05);
  });

  it('the layer-wise Oracle recovers every signal to 1e-6, LBP and LP at least 90%', () => {
    for (const method of ['oracle', 'lbp', 'lp'] as const) {
      const result = invert(gen, obs, method, {}, truth.hidden);
      const ok = Array.from({ length: count }, (_, j) => relErr(column(result.z, j), column(z, j)) < 1e-6);
      const rate = ok.filter(Boolean).length / count;
      expect(rate, method).toBeGreaterThanOrEqual(method === 'oracle' ? 1 : 0.9);
      expect(
        result.signals.every((s) => s.stopReason !== 'max-iterations'),
        method,
      ).toBe(true);
    }
  });
});

describe('noisy observations of a saturating generator', () => {
  const gen = saturatingGenerator({ kind: 'tanh' }, 15);
  const count = 8;
  const z = matrix(20, count, createRng(7).fillGaussian(new Float64Array(20 * count)));
  const truth = forward(gen, z);
  const obs = observe(truth.output, { kind: 'gaussian', sigma: 0.05 }, { kind: 'none' }, 3);

  it('reads pixels pushed past ±1 as saturated bounds at θ±, never as clamped equations', () => {
    const ctx = createContext(gen, obs);
    let past = 0;
    for (let j = 0; j < count; j++) {
      const sys = outputSystem(ctx, j);
      const b = gen.layers[2].b;
      for (let r = 0; r < 784; r++) {
        const y = obs.y.data[r * count + j];
        if (Math.abs(y) < 1) continue;
        past++;
        expect(ctx.saturation.side[r * count + j]).toBe(Math.sign(y));
        expect(sys.equations.includes(r)).toBe(false);
        // The row's target is its threshold θ± ≈ ±9, not atanh of y clamped inside (±) 1.
        expect(sys.target[r] + b[r]).toBe(y > 0 ? ctx.saturation.above : ctx.saturation.below);
      }
    }
    expect(past).toBeGreaterThan(100);
  });

  it('the end-to-end Oracle stays near the noise level on those signals', () => {
    const result = invert(gen, obs, 'oracle-e2e', {}, truth.hidden);
    for (let j = 0; j < count; j++) {
      expect(Number.isFinite(result.signals[j].residual)).toBe(true);
      expect(relErr(column(result.z, j), column(z, j))).toBeLessThan(0.1);
    }
  });
});

describe("Latent-Pursuit's last layer with saturated pixels under noise", () => {
  // A small tanh generator with τ = 1e-2 (θ± = ±atanh(0.99) ≈ ±2.65): many pixels are bounds,
  // and noise σ = 1e-2 leaves some of them outside their interval at the best fit (active).
  const dims = [8, 40, 120];
  const gen = randomGaussianGenerator(dims, { kind: 'tanh' }, 0);
  const last = gen.layers[1];
  for (let i = 0; i < last.W.data.length; i++) last.W.data[i] *= 3;
  const count = 8;
  const tau = 1e-2;
  const z = matrix(dims[0], count, createRng(7).fillGaussian(new Float64Array(dims[0] * count)));
  const obs = observe(forward(gen, z).output, { kind: 'gaussian', sigma: 1e-2 }, { kind: 'none' }, 3);

  it('stops on the KKT conditions of the φ-domain problem, checked here independently, with inequalities active', () => {
    // The exact route: under stated noise LP's default route takes the last layer only as a
    // rough start (roughStart in latentPursuit.ts); without the support refinement it cannot.
    const result = invert(gen, obs, 'lp', { saturationTolerance: tau, lp: { refine: false } });
    const x = result.layers[0];
    const [n, m] = [dims[1], dims[2]];
    let kkt = 0;
    let active = 0;
    for (let j = 0; j < count; j++) {
      if (result.signals[j].phases[0].stopReason !== 'kkt') continue;
      kkt++;
      // g = W_Lᵀ[φ′(p) ⊙ r] with r = φ(p) − y on equations, the distance past [1 − τ, 1] or [−1, −1 + τ] on bounds.
      const residual = (p: number, y: number) => {
        const f = Math.tanh(p);
        const r = y >= 1 - tau ? Math.min(f - (1 - tau), 0) : y <= -1 + tau ? Math.max(f + 1 - tau, 0) : f - y;
        return { r, d: 1 - f * f, bound: y >= 1 - tau || y <= -1 + tau };
      };
      const r = new Float64Array(m);
      const r0 = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let p = last.b[i];
        for (let c = 0; c < n; c++) p += last.W.data[i * n + c] * x.data[c * count + j];
        const y = obs.y.data[i * count + j];
        const at = residual(p, y);
        r[i] = at.d * at.r;
        if (at.bound && at.r !== 0) active++;
        const zero = residual(last.b[i], y);
        r0[i] = zero.d * zero.r;
      }
      let scale = 0;
      let worst = 0;
      for (let c = 0; c < n; c++) {
        let g = 0;
        let g0 = 0;
        for (let i = 0; i < m; i++) {
          g += last.W.data[i * n + c] * r[i];
          g0 += last.W.data[i * n + c] * r0[i];
        }
        scale = Math.max(scale, Math.abs(g0));
        const xc = x.data[c * count + j];
        expect(xc).toBeGreaterThanOrEqual(0);
        worst = Math.max(worst, xc > 0 ? Math.abs(g) : Math.max(-g, 0));
      }
      expect(worst / scale).toBeLessThan(1e-8);
    }
    expect(kkt).toBeGreaterThanOrEqual(count / 2);
    expect(active).toBeGreaterThan(0);
  });
});
