// The image grid: columns and rows, one shared gray scale, hidden pixels in
// the mask colour, pixels drawn as runs of equal gray, and a size that fits.
import { describe, expect, it } from 'vitest';
import type { ImageExamples } from '../../../../src/core/experiments/examples';
import {
  HIDDEN_PIXEL_COLOR,
  imageColumns,
  imageGridOption,
  imageGridSize,
  examplesShape,
  imageShapeOf,
} from '../../../../src/shared/figures';

interface CustomApiStub {
  value(d: number): number;
  coord(p: [number, number]): [number, number];
}
interface Rect {
  shape: { x: number; y: number; width: number; height: number };
  style: { fill: string };
}
interface Opt {
  series: { type: string; data: number[][]; renderItem: (p: unknown, api: CustomApiStub) => Rect }[];
  graphic: { type: string; style: { text?: string; fill?: string } }[];
  title: { subtext: string };
}

// Two 2 × 2 signals: truth, observation (pixel 1 hidden in the first), and two methods.
const examples: ImageExamples = {
  truthLabel: 'G(z)',
  signals: [
    { truth: [-1, 1, 1, 1], observed: [-1, null, 1, 1], methods: { lp: [-1, 1, 1, 1], gd: [0, 0, 0, 0] } },
    { truth: [1, 1, 1, 1], observed: [1, 1, 1, 1], methods: { lp: [1, 1, 1, 1], gd: [1, 1, 1, 1] } },
  ],
};

describe('image grid', () => {
  it('lays out truth, observed and each method, a row per signal, at 96 px a cell', () => {
    expect(examplesShape(examples)).toEqual([2, 2]);
    expect(examplesShape({ truthLabel: 'x', signals: [{ observed: [1, 2, 3], methods: {} }] })).toBeUndefined();
    expect(imageColumns(examples).map((c) => c.label)).toEqual(['G(z)', 'observed', 'lp: G(ẑ)', 'gd: G(ẑ)']);
    const { width, height } = imageGridSize(examples);
    expect(width).toBe(84 + 4 * 108 - 12 + 16);
    expect(height).toBe(96 + 2 * 108 - 12 + 64);
    const option = imageGridOption(examples) as unknown as Opt;
    const texts = option.graphic.map((g) => g.style.text).filter((t) => t !== undefined);
    expect(texts).toEqual(expect.arrayContaining(['G(z)', 'observed', 'lp: G(ẑ)', 'signal 0', 'signal 1']));
    expect(texts.some((t) => t!.startsWith('hidden pixel'))).toBe(true);
    expect(option.title.subtext).toMatch(/black = -1, white = 1/);
  });

  it('draws runs of equal gray, hidden pixels in the mask colour, on one scale', () => {
    const option = imageGridOption(examples) as unknown as Opt;
    const [series] = option.series;
    expect(series.type).toBe('custom');
    // Signal 0, truth, row 0: −1 then 1 (two runs); row 1: one run of two white pixels.
    const cell = series.data.filter((d) => d[0] < 2 && d[1] < 2);
    expect(cell).toEqual([
      [0, 0, 0, 1],
      [1, 0, 255, 1],
      [0, 1, 255, 2],
    ]);
    // The observation's hidden pixel is level −1; gd's 0 is mid-gray on the shared [−1, 1] scale.
    expect(series.data.some((d) => d[2] === -1)).toBe(true);
    expect(series.data.some((d) => d[2] === 128)).toBe(true);
    const api = (d: number[]): CustomApiStub => ({ value: (i) => d[i], coord: ([x, y]) => [10 * x, 10 * y] });
    const hidden = series.data.find((d) => d[2] === -1)!;
    expect(series.renderItem(null, api(hidden)).style.fill).toBe(HIDDEN_PIXEL_COLOR);
    const white = series.renderItem(null, api([0, 1, 255, 2]));
    expect(white.style.fill).toBe('#ffffff');
    expect(white.shape.width).toBeCloseTo(20.8, 10);
  });

  it('leaves the legend out when nothing is hidden, and refuses signals that are not images', () => {
    const clean: ImageExamples = { truthLabel: 'input y', signals: [examples.signals[1]] };
    const option = imageGridOption(clean) as unknown as Opt;
    expect(option.graphic.some((g) => g.style.text?.startsWith('hidden pixel'))).toBe(false);
    expect(imageGridSize(clean).height).toBe(96 + 96 + 20);
    expect(() => imageGridOption({ truthLabel: 'x', signals: [{ observed: [1, 2, 3], methods: {} }] })).toThrow(
      /needs images \(a recorded image shape, or a square number of pixels\)/,
    );
  });

  it('draws images of a recorded non-square shape row by row, centred in their cells', () => {
    // Two rows of three pixels: [0 1 2; 3 4 5] → levels 0 … 255 on the scale [0, 5].
    const wide: ImageExamples = {
      truthLabel: 'G(z)',
      shape: [2, 3],
      signals: [{ truth: [0, 1, 2, 3, 4, 5], observed: [0, 1, 2, 3, 4, 5], methods: {} }],
    };
    expect(examplesShape(wide)).toEqual([2, 3]);
    expect(imageShapeOf(6, [2, 3])).toEqual([2, 3]);
    expect(imageShapeOf(6)).toBeUndefined();
    expect(imageShapeOf(9)).toEqual([3, 3]);
    const [series] = (imageGridOption(wide) as unknown as Opt).series;
    // In pixel units: cells of max(h, w) = 3, the 2-row image offset by (3 − 2)/2 = 0.5 down; 3 runs a row.
    const truth = series.data.filter((d) => d[0] < 3);
    expect(truth).toEqual([
      [0, 0.5, 0, 1],
      [1, 0.5, 51, 1],
      [2, 0.5, 102, 1],
      [0, 1.5, 153, 1],
      [1, 1.5, 204, 1],
      [2, 1.5, 255, 1],
    ]);
    // A shape that does not match the signals' length is not taken for theirs.
    expect(examplesShape({ ...wide, shape: [3, 3] })).toBeUndefined();
  });
});
