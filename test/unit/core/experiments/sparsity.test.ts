import { describe, expect, it } from 'vitest';
import { createSparsitySampler } from '../../../../src/core/experiments/sparsity';
import { drive, runToEnd } from '../../../../src/core/experiments/stepper';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import type { Generator } from '../../../../src/core/model/generator';

const gen = randomGaussianGenerator([10, 30, 50, 80], { kind: 'tanh' }, 2);

describe('sparsity sampler', () => {
  it('counts |supp(x_i)| of each hidden layer for the seeded z draws', () => {
    const result = runToEnd(createSparsitySampler(gen, { count: 20, seed: 5, chunkSize: 7 }));
    expect(result.samples).toBe(20);
    expect(result.stopReason).toBe('completed');
    expect(result.dims).toEqual([10, 30, 50, 80]);
    // Independent recount: draw the same z's column by column and count positives.
    const rng = createRng(5);
    const z = matrix(10, 20);
    for (let j = 0; j < 20; j++) for (let i = 0; i < 10; i++) z.data[i * 20 + j] = rng.gaussian();
    const pass = forward(gen, z);
    pass.hidden.forEach((x, layer) => {
      const expected = Array.from({ length: 20 }, (_, j) => {
        let s = 0;
        for (let i = 0; i < x.rows; i++) if (x.data[i * 20 + j] > 0) s++;
        return s;
      });
      expect(result.layers[layer].counts).toEqual(expected);
      expect(result.layers[layer].width).toBe(x.rows);
    });
  });

  it('does not depend on the chunk size', () => {
    const a = runToEnd(createSparsitySampler(gen, { count: 33, seed: 1, chunkSize: 1 }));
    const b = runToEnd(createSparsitySampler(gen, { count: 33, seed: 1, chunkSize: 64 }));
    expect(b.layers.map((l) => l.counts)).toEqual(a.layers.map((l) => l.counts));
  });

  it('evaluates Theorem 2 per sample on a net built to pass and fail known clauses', () => {
    // Hidden layer 1 has all 4 units on for z > 0 (and all off for z < 0); n0 = 1.
    const W0 = matrix(4, 1, Float64Array.from([1, 1, 1, 1]));
    const W1 = matrix(3, 4, new Float64Array(12).fill(1));
    const net: Generator = {
      name: 't',
      inputDim: 1,
      hidden: 'relu',
      output: { kind: 'identity' },
      layers: [
        { W: W0, b: new Float64Array(4) },
        { W: W1, b: new Float64Array(3) },
        { W: matrix(2, 3, new Float64Array(6).fill(1)), b: new Float64Array(2) },
      ],
    };
    const r = runToEnd(createSparsitySampler(net, { count: 400, seed: 3 }));
    const positive = r.layers[0].counts.filter((s) => s === 4).length;
    expect(positive).toBeGreaterThan(150);
    expect(positive).toBeLessThan(250);
    const byClause = Object.fromEntries(r.theorem2.conditions.map((c) => [c.statement, c.passed]));
    // (iii) s1 ≥ n0 = 1 holds exactly when z > 0; (ii) s1 < s2 never holds (4 vs 3 or 0 vs 0);
    // (i) s2 < n = 2 holds exactly when z < 0 (s2 = 0).
    expect(byClause).toEqual({ 's₁ ≥ n₀ = 1': positive, 's₁ < s₂': 0, 's₂ < n = 2': 400 - positive });
    expect(r.theorem2.allPassFraction).toBe(0);
  });

  it('reports the Fig. 2 default shape as unique for every sample', () => {
    const fig2 = randomGaussianGenerator([100, 300, 625], { kind: 'tanh' }, 0);
    const r = runToEnd(createSparsitySampler(fig2, { count: 64, seed: 0 }));
    // s1 ≈ n1/2 = 150 > n0 = 100 and < n = 625.
    expect(r.layers[0].median).toBeGreaterThan(130);
    expect(r.layers[0].median).toBeLessThan(170);
    expect(r.theorem2.allPassFraction).toBe(1);
  });

  it('stops between steps when cancelled and returns the partial result', async () => {
    const signal = { aborted: false };
    const seen: number[] = [];
    const result = await drive(createSparsitySampler(gen, { count: 100, seed: 0, chunkSize: 10 }), {
      signal,
      onProgress: (done) => {
        seen.push(done);
        if (done >= 30) signal.aborted = true;
      },
    });
    expect(result.stopReason).toBe('cancelled');
    expect(result.samples).toBe(30);
    expect(result.layers[0].counts).toHaveLength(30);
    expect(seen).toEqual([10, 20, 30]);
  });

  it('awaits a listener that returns a promise before the next step and before the result', async () => {
    // A Comlink progress proxy answers asynchronously on its own port; the
    // run must not move on (or resolve) until each call has been delivered.
    const delivered: number[] = [];
    const result = await drive(createSparsitySampler(gen, { count: 30, seed: 0, chunkSize: 10 }), {
      onProgress: (done) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            delivered.push(done);
            resolve();
          }, 5),
        ),
    });
    expect(delivered).toEqual([10, 20, 30]);
    expect(result.samples).toBe(30);
  });

  it('refuses impossible sample counts', () => {
    expect(() => createSparsitySampler(gen, { count: 0, seed: 0 })).toThrow(/sample count/);
    expect(() => createSparsitySampler(gen, { count: 2.5, seed: 0 })).toThrow(/sample count/);
    expect(() => createSparsitySampler(gen, { count: 1e9, seed: 0 })).toThrow(/sample count/);
  });
});
