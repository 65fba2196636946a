import { describe, expect, it } from 'vitest';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { invert } from '../../../../src/core/pursuit/methods';

const relative = (a: number[], b: number[]) =>
  Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / b.reduce((s, v) => s + v * v, 0));

describe("LBP's inner layer with λ = 0 and at least as many supported rows as unknowns", () => {
  it('is one exact least-squares solve, giving the true x₁ and z', () => {
    // random:5,20,80,160:tanh — about 40 of x₂'s 80 units on, for n₁ = 20 unknowns.
    const gen = randomGaussianGenerator([5, 20, 80, 160], { kind: 'tanh' }, 1);
    const count = 6;
    const z = matrix(5, count, createRng(2).fillGaussian(new Float64Array(5 * count)));
    const truth = forward(gen, z);
    const result = invert(gen, observe(truth.output, { kind: 'none' }, { kind: 'none' }, 3), 'lbp');
    const column = (m: { rows: number; cols: number; data: Float64Array }, j: number) =>
      Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
    result.signals.forEach((s, j) => {
      const phase = s.phases.find((p) => p.phase.startsWith('layer 1'));
      expect(phase).toMatchObject({ phase: 'layer 1 (least squares)', stopReason: 'exact', iterations: 1 });
      expect(relative(column(result.layers[0], j), column(truth.hidden[0], j))).toBeLessThan(1e-9);
      expect(relative(column(result.z, j), column(z, j))).toBeLessThan(1e-9);
    });
  });
});
