import { describe, expect, it } from 'vitest';
import { openModel } from '../../../../src/core/formats/index';
import { matrix } from '../../../../src/core/linalg/matrix';
import { forward } from '../../../../src/core/model/forward';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { readFixture } from '../../../helpers/fixtures';

const open = (file: string) => openModel(readFixture(`json-models/${file}`), file).generator;

describe('forward', () => {
  it('matches hand-computed values on a 2 → 3 → 2 tanh net, two signals at once', () => {
    const gen = open('tiny-tanh.json');
    // Columns are signals: z¹ = (1, 2), z² = (−1, 0.5).
    const z = matrix(2, 2, Float64Array.from([1, -1, 2, 0.5]));
    const pass = forward(gen, z);
    // W0 z¹ + b0 = (−1, 3.5, −0.75) → x1 = (0, 3.5, 0); W0 z² + b0 = (−1.5, −0.5, 1.25) → (0, 0, 1.25)
    expect(Array.from(pass.hidden[0].data)).toEqual([0, 0, 3.5, 0, 0, 1.25]);
    // W1 x1 + b1: z¹ → (0.1, −3.7); z² → (2.6, 1.05)
    const pre = Array.from(pass.preOutput.data);
    [0.1, 2.6, -3.7, 1.05].forEach((v, i) => expect(pre[i]).toBeCloseTo(v, 14));
    const out = Array.from(pass.output.data);
    [0.1, 2.6, -3.7, 1.05].forEach((v, i) => expect(out[i]).toBeCloseTo(Math.tanh(v), 14));
  });

  it('applies PLU at the output', () => {
    const gen = open('tiny-plu.json');
    const pass = forward(gen, matrix(1, 3, Float64Array.from([3, -0.5, -4])));
    // pre-activations 6, 0.5, 4 → PLU: 0.1·5 + 1, 0.5, 0.1·3 + 1
    const out = Array.from(pass.output.data);
    [1.5, 0.5, 1.3].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 14));
  });

  it('gives each column the result of running it alone', () => {
    const gen = randomGaussianGenerator([5, 11, 7, 9], { kind: 'sigmoid' }, 3);
    const z = matrix(
      5,
      4,
      Float64Array.from({ length: 20 }, (_, i) => Math.sin(i + 1)),
    );
    const batch = forward(gen, z).output;
    for (let j = 0; j < 4; j++) {
      const single = forward(
        gen,
        matrix(
          5,
          1,
          Float64Array.from({ length: 5 }, (_, i) => z.data[i * 4 + j]),
        ),
      ).output;
      for (let i = 0; i < 9; i++) expect(batch.data[i * 4 + j]).toBe(single.data[i]);
    }
  });

  it('refuses a latent batch of the wrong height', () => {
    expect(() => forward(open('tiny-tanh.json'), matrix(3, 1))).toThrow(
      "z has 3 rows but the generator's input dimension is 2",
    );
  });
});

describe('randomGaussianGenerator', () => {
  it('draws W_i with variance 1/fan-in and zero biases, reproducibly', () => {
    const gen = randomGaussianGenerator([400, 300, 10], { kind: 'tanh' }, 0);
    const w = gen.layers[0].W.data;
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(Math.abs(variance - 1 / 400)).toBeLessThan(0.03 / 400);
    expect(gen.layers.every((l) => l.b.every((v) => v === 0))).toBe(true);
    expect(randomGaussianGenerator([400, 300, 10], { kind: 'tanh' }, 0).layers[1].W.data).toEqual(gen.layers[1].W.data);
  });
});

describe('degenerate generators', () => {
  it('an all-zero layer is refused before any solver runs', async () => {
    const { createContext } = await import('../../../../src/core/pursuit/context');
    const gen = randomGaussianGenerator([3, 5, 4], { kind: 'identity' }, 0);
    gen.layers[1].W.data.fill(0);
    const obs = { y: matrix(4, 1), noise: { kind: 'none' as const }, mask: { kind: 'none' as const } };
    expect(() => createContext(gen, obs)).toThrow('layer 1 has all-zero weights');
  });
});
