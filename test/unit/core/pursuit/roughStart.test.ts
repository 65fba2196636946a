import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openModel } from '../../../../src/core/formats/index';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import type { Generator as Net } from '../../../../src/core/model/generator';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { createContext, misfitFloors } from '../../../../src/core/pursuit/context';
import { invert } from '../../../../src/core/pursuit/methods';
import { fixturePath } from '../../../helpers/fixtures';

function relativeError(zHat: Matrix, z: Matrix, j: number): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < z.rows; i++) {
    d += (zHat.data[i * z.cols + j] - z.data[i * z.cols + j]) ** 2;
    s += z.data[i * z.cols + j] ** 2;
  }
  return Math.sqrt(d / s);
}

function clean(gen: Net, count: number, seed: number) {
  const z = matrix(gen.inputDim, count, createRng(seed).fillGaussian(new Float64Array(gen.inputDim * count)));
  return { z, obs: observe(forward(gen, z).output, { kind: 'none' }, { kind: 'none' }, seed + 1) };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

const ROUTE_NOTE_ANY = /rough route's answer did not fit .*: the exact route ran/;
const ROUTE_NOTE = /rough route's answer did not fit .*: the exact route ran; kept the exact route's answer/;

// Fig. 2's third regime in small: the last hidden layer is wider than the image (n_L > n).
describe('Latent-Pursuit with a rough last layer: wider than the known pixels, or under noise', () => {
  it('takes the last layer only as a rough start (rough-start), and the support refinement recovers z', () => {
    // random:20,150,100:tanh — about 75 of 150 units on, more than (n + 1)/2: Theorem 1 cannot hold for x_1.
    const gen = randomGaussianGenerator([20, 150, 100], { kind: 'tanh' }, 0);
    const { z, obs } = clean(gen, 4, 10);
    const result = invert(gen, obs, 'lp');
    result.signals.forEach((s, j) => {
      expect(relativeError(result.z, z, j)).toBeLessThan(1e-9);
      expect(s.phases[0]).toMatchObject({ stopReason: 'rough-start', iterations: 100 });
      expect(s.phases[0].note).toMatch(/n_L = 150 > 100 known unsaturated pixels/);
      // Fitting at once, no signal needed the exact route.
      expect(s.phases.some((p) => ROUTE_NOTE.test(p.note ?? ''))).toBe(false);
      expect(s.phases.at(-1)!.phase).toBe('refine supports');
    });
  });

  it('runs the exact route for the signals whose rough answer does not fit, and keeps the better answer', () => {
    // A sparse wide layer, as trained generators have: biases put ~17 of 60 units on (n = 40), few
    // enough for the exact route's nonnegative least squares to be unique, and the rough start
    // then leads the refinement astray on some signals.
    const gen = randomGaussianGenerator([10, 60, 40], { kind: 'tanh' }, 0);
    const W0 = gen.layers[0].W;
    const b0 = gen.layers[0].b as Float64Array;
    for (let r = 0; r < W0.rows; r++) {
      let norm = 0;
      for (let c = 0; c < W0.cols; c++) norm += W0.data[r * W0.cols + c] ** 2;
      b0[r] = -0.6 * Math.sqrt(norm);
    }
    const { z, obs } = clean(gen, 6, 10);
    const result = invert(gen, obs, 'lp');
    const retried = result.signals.flatMap((s, j) => (s.phases.some((p) => ROUTE_NOTE.test(p.note ?? '')) ? [j] : []));
    expect(retried.length).toBeGreaterThan(0);
    result.signals.forEach((s, j) => {
      expect(relativeError(result.z, z, j)).toBeLessThan(1e-9);
      expect(s.phases[0].stopReason).toBe('rough-start');
      if (!retried.includes(j)) return;
      // Both routes' phases, in order: the exact route's last layer ends on its KKT conditions.
      const exactLast = s.phases.findIndex((p) => ROUTE_NOTE.test(p.note ?? ''));
      expect(exactLast).toBeGreaterThan(0);
      expect(s.phases[exactLast]).toMatchObject({ phase: s.phases[0].phase, stopReason: 'kkt' });
      expect(s.iterations).toBe(s.phases.reduce((a, p) => a + p.iterations, 0));
      expect(s.residual).toBeLessThan(1e-20);
    });
  });

  it('under stated noise, takes the last layer as a rough start too: the trained MNIST net within 1 dB of the end-to-end Oracle', () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('../../resources/models/mnist-fc-gan.onnx')));
    const gen = openModel(bytes, 'mnist-fc-gan.onnx').generator;
    const count = 8;
    const z = matrix(20, count, createRng(3).fillGaussian(new Float64Array(20 * count)));
    const truth = forward(gen, z);
    const obs = observe(truth.output, { kind: 'gaussian', sigma: 0.05 }, { kind: 'none' }, 4);
    const lp = invert(gen, obs, 'lp');
    const oracle = invert(gen, obs, 'oracle-e2e', {}, truth.hidden);
    const snr = (zHat: Matrix) =>
      median(Array.from({ length: count }, (_, j) => -20 * Math.log10(relativeError(zHat, z, j))));
    const floors = misfitFloors(createContext(gen, obs), 1e-16);
    lp.signals.forEach((s, j) => {
      expect(s.phases[0]).toMatchObject({ stopReason: 'rough-start', iterations: 100 });
      expect(s.phases[0].note).toMatch(/under the stated noise/);
      // The inner layer below it gives a start only, too.
      expect(s.phases[1]).toMatchObject({
        phase: expect.stringMatching(/^layer 1/),
        stopReason: 'rough-start',
        iterations: 20,
      });
      // Each answer fits the noise floor, or the exact route ran for it and says so.
      if (!(s.residual <= floors[j])) expect(s.phases.some((p) => ROUTE_NOTE_ANY.test(p.note ?? ''))).toBe(true);
    });
    expect(snr(lp.z)).toBeGreaterThan(snr(oracle.z) - 1);
  }, 30_000);

  it('keeps the exact route where the refinement is turned off (it alone could not correct a rough start)', () => {
    const gen = randomGaussianGenerator([20, 150, 100], { kind: 'tanh' }, 0);
    const { obs } = clean(gen, 2, 10);
    const result = invert(gen, obs, 'lp', { lp: { refine: false } });
    for (const s of result.signals) expect(s.phases[0].stopReason).not.toBe('rough-start');
  });
});
