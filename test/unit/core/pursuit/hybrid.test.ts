import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import type { Generator as Net } from '../../../../src/core/model/generator';
import { observe, type NoiseSpec } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { invert, type MethodOptions } from '../../../../src/core/pursuit/methods';
import { trueSupports } from '../../../../src/core/pursuit/oracle';
import { prepare } from '../../../../src/core/pursuit/prepared';
import { selectSignals } from '../../../../src/core/pursuit/protocol';
import { evaluateSignal } from '../../../../src/core/theory/theorems';

const column = (m: Matrix, j: number) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function relativeErrors(zHat: Matrix, z: Matrix): number[] {
  return Array.from({ length: z.cols }, (_, j) => {
    const a = column(zHat, j);
    const b = column(z, j);
    return norm(a.map((v, i) => v - b[i])) / norm(b);
  });
}

function problem(gen: Net, count: number, seed: number, noise: NoiseSpec = { kind: 'none' }) {
  const z = matrix(gen.inputDim, count, createRng(seed).fillGaussian(new Float64Array(gen.inputDim * count)));
  const truth = forward(gen, z);
  return { z, truth, obs: observe(truth.output, noise, { kind: 'none' }, seed + 1) };
}

/**
 * A net meeting Corollary 1 (Theorem 3 without noise): W_1 with orthonormal
 * columns (μ(W_1) = 0, so s_1 < 1/(3μ) holds at any sparsity), W_0 Gaussian,
 * so W_0^{S_1} has full column rank whenever s_1 ≥ n_0.
 */
function corollaryNet(): Net {
  const gen = randomGaussianGenerator([5, 20, 40], { kind: 'tanh' }, 4);
  const W = gen.layers[1].W;
  // Modified Gram–Schmidt on the columns of the Gaussian W_1.
  for (let c = 0; c < W.cols; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < W.rows; r++) dot += W.data[r * W.cols + c] * W.data[r * W.cols + p];
      for (let r = 0; r < W.rows; r++) W.data[r * W.cols + c] -= dot * W.data[r * W.cols + p];
    }
    let s = 0;
    for (let r = 0; r < W.rows; r++) s += W.data[r * W.cols + c] ** 2;
    for (let r = 0; r < W.rows; r++) W.data[r * W.cols + c] /= Math.sqrt(s);
  }
  return gen;
}

// Seconds each on a quiet machine; the timeout leaves room for a shared one.
describe('hybrid pursuit', { timeout: 30_000 }, () => {
  it('recovers z (relative error < 1e-6) on random:100,1000,625:tanh by descent and Gauss–Newton, without running LP', () => {
    const gen = randomGaussianGenerator([100, 1000, 625], { kind: 'tanh' }, 0);
    const { z, obs } = problem(gen, 2, 11);
    const options: MethodOptions = { hybrid: { seed: 14 } };
    const result = invert(gen, obs, 'hybrid', options);
    for (const e of relativeErrors(result.z, z)) expect(e).toBeLessThan(1e-6);
    // n_1 = 1000 > n = 625: descent first, and its fit settles the signal, so the layered route is not paid for.
    for (const p of result.paths!) {
      expect(p.path).toBe('gd-random');
      expect(p.start).toBe(1);
      expect(p.tried).toBe(1);
    }
    for (const s of result.signals) expect(s.phases.some((p) => p.phase.startsWith('layer'))).toBe(false);
    // Start 1 is plain gd's start with the same seed: the hybrid never fits worse than gd.
    const gd = invert(gen, obs, 'gd', { gd: { seed: 14 } });
    result.signals.forEach((s, j) => expect(s.residual).toBeLessThanOrEqual(gd.signals[j].residual));
  }, 60_000);

  it('Gauss–Newton turns a short descent into an exact answer that settles; without it LP has to follow', () => {
    // random:20,150,100 (n1 > n): descent first, cut to 100 iterations, far from converged.
    const gen = randomGaussianGenerator([20, 150, 100], { kind: 'tanh' }, 0);
    const { z, obs } = problem(gen, 4, 3);
    const short = { gd: { maxIterations: 100 } };
    const polished = invert(gen, obs, 'hybrid', { hybrid: short });
    for (const e of relativeErrors(polished.z, z)) expect(e).toBeLessThan(1e-12);
    for (const p of polished.paths!) expect(p).toEqual({ path: 'gd-random', start: 1, polished: true, tried: 1 });
    const plain = invert(gen, obs, 'hybrid', { hybrid: { ...short, polish: false } });
    for (const p of plain.paths!) expect(p).toEqual({ path: 'lp', polished: false, tried: 2 });
    for (const s of plain.signals)
      expect(s.phases.at(-1)!.note).toMatch(/gd-random \(start 1\): misfit .*; lp: misfit/);
  });

  it('recovers z exactly on a Corollary 1 net, by the layered path, certified', () => {
    const gen = corollaryNet();
    const count = 6;
    const { z, truth, obs } = problem(gen, count, 3);
    const layers = prepare(gen);
    const all = Int32Array.from({ length: 40 }, (_, i) => i);
    for (let j = 0; j < count; j++)
      expect(evaluateSignal(layers, { supports: trueSupports(truth.hidden, j), knownRows: all }).theorem3).toBe(true);
    const result = invert(gen, obs, 'hybrid', { hybrid: { certify: true } });
    for (const e of relativeErrors(result.z, z)) expect(e).toBeLessThan(1e-6);
    for (const p of result.paths!) expect(p).toEqual({ path: 'lp', polished: false, certified: true, tried: 1 });
    for (const s of result.signals) expect(s.phases.at(-1)!.note).toMatch(/^kept lp of lp: misfit/);
  });

  it('with certify, searches from LP and k random starts where LP is not certified (s_1 < n_0), keeping the lowest misfit', () => {
    // random:20,30,100: s_1 ≈ 15 < n_0 = 20, so Theorem 1 cannot certify any answer.
    const gen = randomGaussianGenerator([20, 30, 100], { kind: 'tanh' }, 1);
    const { obs } = problem(gen, 3, 5);
    const options = { starts: 2, gd: { maxIterations: 500 } };
    // Without certify, LP's answer fits (the layer is underdetermined) and settles.
    const plain = invert(gen, obs, 'hybrid', { hybrid: options });
    for (const p of plain.paths!) expect(p).toEqual({ path: 'lp', polished: false, tried: 1 });
    const result = invert(gen, obs, 'hybrid', { hybrid: { ...options, certify: true } });
    for (const p of result.paths!) expect(p.tried).toBe(4); // lp, gd-from-lp, 2 random starts
    result.signals.forEach((s, j) => {
      const note = s.phases.at(-1)!.note!;
      const misfits = [...note.matchAll(/misfit ([0-9.e+-]+)/g)].map((m) => Number(m[1]));
      expect(misfits).toHaveLength(4);
      // Misfits below the floor (1e-16 · ½‖y‖² without noise) count as equal: the kept answer's
      // (recomputed through G) is the smallest tried or below the floor, to the notes' 3 digits.
      const y = column(obs.y, j);
      const floor = 1e-16 * 0.5 * norm(y) ** 2;
      expect(s.residual).toBeLessThanOrEqual(Math.max(Math.min(...misfits), floor) * 1.01);
      expect(note).toMatch(/lp: misfit [^;]*, not certified/);
    });
  });

  it('under noise, settles LP answers at the noise floor (no search where the fit is as good as the noise allows)', () => {
    const gen = randomGaussianGenerator([20, 60, 200], { kind: 'tanh' }, 2);
    const { obs } = problem(gen, 3, 8, { kind: 'gaussian', sigma: 1e-3 });
    const result = invert(gen, obs, 'hybrid');
    for (const [j, p] of result.paths!.entries()) {
      expect(p.path).toBe('lp');
      expect(p.tried).toBe(1);
      // ½σ²m(1 + 3√(2/m)), m = 200.
      expect(result.signals[j].residual).toBeLessThan(0.5 * 1e-6 * 200 * (1 + 3 * Math.sqrt(2 / 200)));
    }
  });

  it('with signalSeeds, a signal gets the same answer alone as in a batch, start 1 being a one-signal gd run’s', () => {
    const gen = randomGaussianGenerator([20, 150, 100], { kind: 'tanh' }, 0);
    const { obs } = problem(gen, 3, 3);
    const seeds = [101, 202, 303];
    const options = (signalSeeds: number[]): MethodOptions => ({
      hybrid: { signalSeeds, polish: false, gd: { maxIterations: 1000 } },
    });
    const batch = invert(gen, obs, 'hybrid', options(seeds));
    const alone = invert(gen, selectSignals(obs, [1]), 'hybrid', options([202]));
    expect(column(batch.z, 1)).toEqual(column(alone.z, 0));
    const gd = invert(gen, selectSignals(obs, [1]), 'gd', { gd: { seed: 202, maxIterations: 1000 } });
    expect(batch.paths![1].path).toBe('gd-random');
    expect(column(batch.z, 1)).toEqual(column(gd.z, 0));
    expect(() => invert(gen, obs, 'hybrid', options([1, 2]))).toThrow(/2 seeds for 3 signals/);
  });

  it('rejects bad options before running anything', () => {
    const gen = randomGaussianGenerator([2, 6, 8], { kind: 'tanh' }, 0);
    const { obs } = problem(gen, 1, 0);
    expect(() => invert(gen, obs, 'hybrid', { hybrid: { starts: -1 } })).toThrow(
      /hybrid.starts must be an integer ≥ 0/,
    );
    expect(() => invert(gen, obs, 'hybrid', { hybrid: { misfitTolerance: 2 } })).toThrow(/misfitTolerance/);
    expect(() => invert(gen, obs, 'hybrid', { hybrid: { gd: { step: 0 } } })).toThrow(/step must be > 0/);
  });
});
