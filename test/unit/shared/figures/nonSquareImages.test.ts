// A model whose output is a non-square image (n = 12·7, imageShape [12, 7] recorded with it) gets
// image grids of that shape in an invert run's report figures; without the shape, n = 84 is no image.
import { describe, expect, it } from 'vitest';
import { invertExperiment, type InvertReport } from '../../../../src/core/experiments/invert';
import type { Generator } from '../../../../src/core/model/generator';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { figuresOfRun } from '../../../../src/shared/figures';

function report(gen: Generator): InvertReport {
  const steps = invertExperiment(
    gen,
    { methods: ['oracle'], count: 2, seed: 3, mask: { kind: 'none' }, noise: { kind: 'none' }, examples: true },
    () => 0,
  );
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

describe('image grids of a recorded non-square shape', () => {
  const plain = randomGaussianGenerator([5, 30, 84], { kind: 'tanh' }, 1);

  it('keeps examples with the shape and draws each cell 12 rows × 7 pixels', () => {
    const r = report({ ...plain, imageShape: [12, 7] });
    expect(r.examples?.shape).toEqual([12, 7]);
    const figure = figuresOfRun('invert', r, { dims: [5, 30, 84] }).find((f) => f.name === 'invert-images');
    expect(figure).toBeDefined();
    const data = (figure!.option.series as { data: number[][] }[])[0].data;
    // The first cell (truth of signal 0) in pixel units: cells of max(12, 7) = 12, the image 2.5 in from the left.
    const cell = data.filter((d) => d[0] < 12 && d[1] < 12);
    expect(new Set(cell.map((d) => d[1]))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    expect(Math.min(...cell.map((d) => d[0]))).toBe(2.5);
    for (let y = 0; y < 12; y++) expect(cell.filter((d) => d[1] === y).reduce((s, d) => s + d[3], 0)).toBe(7); // each row: 7 pixels
    // The app draws the same examples on its canvas, with their shape.
    expect(figure!.images?.examples.shape).toEqual([12, 7]);
  });

  it('without a recorded shape, an output of 84 values is not an image: no examples, no grid', () => {
    const r = report(plain);
    expect(r.examples).toBeUndefined();
    expect(figuresOfRun('invert', r, { dims: [5, 30, 84] }).map((f) => f.name)).not.toContain('invert-images');
  });
});
