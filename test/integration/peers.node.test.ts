/**
 * The PyTorch peers of `npm run bench -- peers` (bench/peers/*.py) on a tiny
 * random model: the Python forward pass is ours, and the Latent-Pursuit peer
 * recovers clean signals. Skipped, with the reason printed, where
 * /usr/bin/python3 cannot import torch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drawLatents, peersUnavailableReason, runPeer, writeProblem } from '../../bench/peers';
import { npyBytes } from '../../bench/npy';
import { openModel } from '../../src/core/formats/index';
import { readNpy } from '../../src/core/formats/npz';
import { relativeError } from '../../src/core/metrics';
import { randomGaussianGenerator } from '../../src/core/model/random';
import type { Matrix } from '../../src/core/linalg/matrix';

const why = peersUnavailableReason();
if (why !== undefined) console.log(`peers tests skipped: ${why}`);

describe('npyBytes', () => {
  it('writes what core reads back, bit for bit, with the data 64-byte aligned', () => {
    const data = Float64Array.of(1, -2.5, Math.PI, 1e-300, -0, 6);
    const bytes = npyBytes([2, 3], data);
    expect((bytes.length - data.length * 8) % 64).toBe(0);
    expect(readNpy(bytes, 'a.npy')).toEqual({ shape: [2, 3], data });
    expect(readNpy(npyBytes([3], Float64Array.of(1, 2, 3)), 'b.npy').shape).toEqual([3]);
  });
});

const maxAbsDiff = (a: Matrix, b: Matrix) => {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  let worst = 0;
  for (let p = 0; p < a.data.length; p++) worst = Math.max(worst, Math.abs(a.data[p] - b.data[p]));
  return worst;
};

describe.skipIf(why !== undefined)('PyTorch peers on the bundled MNIST generator', () => {
  it('the Python forward pass of the folded weights (BatchNorm inside, PLU output) equals ours to 1e-10', () => {
    const file = join(import.meta.dirname, '../../resources/models/mnist-fc-gan.onnx');
    const { generator } = openModel(new Uint8Array(readFileSync(file)), 'mnist-fc-gan.onnx');
    expect(generator.output.kind).toBe('plu');
    const folder = mkdtempSync(join(tmpdir(), 'pursuit-peers-test-'));
    try {
      const y = writeProblem(folder, generator, drawLatents(generator, 8, 0));
      expect(maxAbsDiff(runPeer(folder, 'common.py', [], 'forward.npy').result, y)).toBeLessThan(1e-10);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe.skipIf(why !== undefined)('PyTorch peers on random:5,20,40 with tanh output, 4 signals', () => {
  const gen = randomGaussianGenerator([5, 20, 40], { kind: 'tanh' }, 0);
  const z = drawLatents(gen, 4, 0);
  const folder = mkdtempSync(join(tmpdir(), 'pursuit-peers-test-'));
  const y = writeProblem(folder, gen, z);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('the Python forward pass equals ours to 1e-10', () => {
    expect(maxAbsDiff(runPeer(folder, 'common.py', [], 'forward.npy').result, y)).toBeLessThan(1e-10);
  });

  it('the Latent-Pursuit peer recovers every clean signal (relative error < 1e-3)', () => {
    const { info, result } = runPeer(folder, 'latent_pursuit.py', [], 'zhat_lp.npy');
    expect(info.method).toBe('lp');
    for (let j = 0; j < z.cols; j++) {
      const col = (m: typeof z) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
      expect(relativeError(col(result), col(z))).toBeLessThan(1e-3);
    }
  });

  it('the gradient-descent peer runs both optimizers and writes ẑ of the right shape', () => {
    for (const optimizer of ['sgd', 'adam']) {
      const { info, result } = runPeer(
        folder,
        'gd.py',
        ['--optimizer', optimizer, '--iterations', '50'],
        `zhat_${optimizer}.npy`,
      );
      expect(info).toMatchObject({ method: optimizer, iterations: 50 });
      expect([result.rows, result.cols]).toEqual([z.rows, z.cols]);
      expect(readFileSync(join(folder, `zhat_${optimizer}.npy`)).length).toBeGreaterThan(0);
    }
  });
});
