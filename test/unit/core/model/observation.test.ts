import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { imageSide, knownCount, makeMask, observe, parseMask } from '../../../../src/core/model/observation';

const randomBatch = (seed: number, n: number, count: number): Matrix =>
  matrix(n, count, createRng(seed).fillGaussian(new Float64Array(n * count)));

/** Hidden-pixel count of signal j of an n × count mask. */
function hiddenIn(known: Uint8Array, n: number, count: number, j: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += known[i * count + j] === 0 ? 1 : 0;
  return s;
}

/** Column j of the mask as a string of 0/1, for comparing signals. */
const maskColumn = (known: Uint8Array, n: number, count: number, j: number) =>
  Array.from({ length: n }, (_, i) => known[i * count + j]).join('');

describe('parseMask', () => {
  it('parses none, random:FRACTION and rows:FROM-TO', () => {
    expect(parseMask('none')).toEqual({ kind: 'none' });
    expect(parseMask('random:0.45')).toEqual({ kind: 'random', fraction: 0.45 });
    expect(parseMask('random:0')).toEqual({ kind: 'random', fraction: 0 });
    expect(parseMask('random:5e-1')).toEqual({ kind: 'random', fraction: 0.5 });
    expect(parseMask('rows:0-12')).toEqual({ kind: 'rows', from: 0, to: 12 });
    expect(parseMask('rows:7-7')).toEqual({ kind: 'rows', from: 7, to: 7 });
  });

  it('refuses fractions outside [0, 1), naming the value', () => {
    expect(() => parseMask('random:1.5')).toThrow(RangeError);
    expect(() => parseMask('random:1.5')).toThrow('mask fraction must be in [0, 1), got 1.5');
    expect(() => parseMask('random:1')).toThrow('got 1');
    expect(() => parseMask('random:-0.1')).toThrow('got -0.1');
    // Matches the pattern but is not a number.
    expect(() => parseMask('random:1.2.3')).toThrow('mask fraction must be in [0, 1)');
  });

  it('refuses reversed rows and unknown specs', () => {
    expect(() => parseMask('rows:5-2')).toThrow('mask rows 5-2: the last row comes before the first');
    expect(() => parseMask('bogus')).toThrow('unknown mask "bogus" (use none, random:FRACTION or rows:FROM-TO)');
    for (const text of ['', 'None', 'random:', 'random:abc', 'rows:5', 'rows:-1-3', 'rows:1-2 ', ' none']) {
      expect(() => parseMask(text)).toThrow('unknown mask');
    }
  });
});

describe('imageSide', () => {
  it('returns the side of a square image and refuses non-squares and rows outside', () => {
    expect(imageSide(784, { from: 0, to: 12 })).toBe(28);
    expect(imageSide(784, { from: 27, to: 27 })).toBe(28);
    expect(() => imageSide(785, { from: 0, to: 1 })).toThrow('square image, but the output has 785 pixels');
    expect(() => imageSide(16, { from: 2, to: 4 })).toThrow('mask rows 2-4 fall outside the 4×4 image');
  });
});

describe('makeMask', () => {
  it('returns undefined when nothing is hidden by spec', () => {
    expect(makeMask({ kind: 'none' }, 10, 3, 1)).toBeUndefined();
  });

  it('random: hides exactly round(fraction·n) pixels of each signal, differently per signal', () => {
    const n = 784;
    const count = 6;
    const known = makeMask({ kind: 'random', fraction: 0.45 }, n, count, 3)!;
    expect(known).toBeInstanceOf(Uint8Array);
    expect(known.length).toBe(n * count);
    expect(Array.from(new Set(known)).sort()).toEqual([0, 1]);
    for (let j = 0; j < count; j++) expect(hiddenIn(known, n, count, j)).toBe(Math.round(0.45 * n)); // 353
    const columns = new Set(Array.from({ length: count }, (_, j) => maskColumn(known, n, count, j)));
    expect(columns.size).toBe(count);
    // Rounding: 0.25 · 10 = 2.5 → 3 (Math.round), 0.24 · 10 → 2.
    const k1 = makeMask({ kind: 'random', fraction: 0.25 }, 10, 4, 1)!;
    const k2 = makeMask({ kind: 'random', fraction: 0.24 }, 10, 4, 1)!;
    for (let j = 0; j < 4; j++) {
      expect(hiddenIn(k1, 10, 4, j)).toBe(3);
      expect(hiddenIn(k2, 10, 4, j)).toBe(2);
    }
    // Fraction 0: a mask with every pixel known.
    expect(Array.from(makeMask({ kind: 'random', fraction: 0 }, 5, 2, 1)!)).toEqual(new Array(10).fill(1));
  });

  it('random: is reproducible from its seed and changes with it', () => {
    const spec = { kind: 'random', fraction: 0.3 } as const;
    const a = makeMask(spec, 100, 5, 42)!;
    expect(Array.from(makeMask(spec, 100, 5, 42)!)).toEqual(Array.from(a));
    expect(Array.from(makeMask(spec, 100, 5, 43)!)).not.toEqual(Array.from(a));
  });

  it('random: hides every pixel with probability fraction (uniform subsets)', () => {
    // 3000 signals of 10 pixels, 3 hidden each: each pixel is hidden Binomial(3000, 0.3) times,
    // mean 900, sd √(3000 · 0.3 · 0.7) ≈ 25.1; allow 5 sd.
    const n = 10;
    const count = 3000;
    const known = makeMask({ kind: 'random', fraction: 0.3 }, n, count, 7)!;
    for (let i = 0; i < n; i++) {
      let hidden = 0;
      for (let j = 0; j < count; j++) hidden += known[i * count + j] === 0 ? 1 : 0;
      expect(Math.abs(hidden - 900)).toBeLessThan(5 * 25.1);
    }
  });

  it('rows: hides rows 0-12 of a 28×28 image, i.e. the first 364 pixels of every signal', () => {
    const n = 784;
    const count = 3;
    const known = makeMask({ kind: 'rows', from: 0, to: 12 }, n, count, 1)!;
    for (let j = 0; j < count; j++) {
      expect(hiddenIn(known, n, count, j)).toBe(13 * 28);
      for (let i = 0; i < n; i++) expect(known[i * count + j]).toBe(i < 364 ? 0 : 1);
    }
    // A 4×4 image: rows 1-2 hide pixels 4…11.
    const mid = makeMask({ kind: 'rows', from: 1, to: 2 }, 16, 2, 1)!;
    for (let i = 0; i < 16; i++) {
      const expected = i >= 4 && i < 12 ? 0 : 1;
      expect([mid[i * 2], mid[i * 2 + 1]]).toEqual([expected, expected]);
    }
    // Independent of the seed.
    expect(Array.from(makeMask({ kind: 'rows', from: 0, to: 12 }, n, count, 99)!)).toEqual(Array.from(known));
  });

  it('rows: refuses a non-square n and rows outside the image', () => {
    expect(() => makeMask({ kind: 'rows', from: 0, to: 1 }, 785, 2, 1)).toThrow('square image');
    expect(() => makeMask({ kind: 'rows', from: 0, to: 1 }, 30, 2, 1)).toThrow(RangeError);
    expect(() => makeMask({ kind: 'rows', from: 0, to: 28 }, 784, 2, 1)).toThrow('fall outside the 28×28 image');
  });
});

describe('observe', () => {
  it('without noise or mask returns a copy of clean and no mask', () => {
    const clean = randomBatch(61, 20, 4);
    const before = Float64Array.from(clean.data);
    const obs = observe(clean, { kind: 'none' }, { kind: 'none' }, 5);
    expect(obs.y.rows).toBe(20);
    expect(obs.y.cols).toBe(4);
    expect(Array.from(obs.y.data)).toEqual(Array.from(clean.data));
    expect(obs.y.data).not.toBe(clean.data);
    expect(obs.known).toBeUndefined();
    expect('known' in obs).toBe(false);
    expect(obs.noise).toEqual({ kind: 'none' });
    expect(obs.mask).toEqual({ kind: 'none' });
    expect(knownCount(obs, 0)).toBe(20);
    expect(knownCount(obs, 3)).toBe(20);
    // y is a copy: writing it leaves clean alone.
    obs.y.data[0] += 1;
    expect(Array.from(clean.data)).toEqual(Array.from(before));
  });

  it('adds Gaussian noise of standard deviation σ (mean 0), reproducibly', () => {
    const n = 200;
    const count = 50;
    const N = n * count;
    const sigma = 0.1;
    const clean = randomBatch(62, n, count);
    const before = Float64Array.from(clean.data);
    const obs = observe(clean, { kind: 'gaussian', sigma }, { kind: 'none' }, 9);
    expect(Array.from(clean.data)).toEqual(Array.from(before));
    const e = Float64Array.from(obs.y.data, (v, i) => v - clean.data[i]);
    const mean = e.reduce((s, v) => s + v, 0) / N;
    const std = Math.sqrt(e.reduce((s, v) => s + (v - mean) ** 2, 0) / (N - 1));
    // Sample mean: sd σ/√N; sample std: sd ≈ σ/√(2N). Allow 5 sd each (≈ 0.005 and 0.0035 here).
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(N));
    expect(Math.abs(std - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * N));
    // Every entry is perturbed.
    expect(e.every((v) => v !== 0)).toBe(true);
    // Reproducible from the seed; another seed gives other noise.
    expect(Array.from(observe(clean, { kind: 'gaussian', sigma }, { kind: 'none' }, 9).y.data)).toEqual(
      Array.from(obs.y.data),
    );
    expect(Array.from(observe(clean, { kind: 'gaussian', sigma }, { kind: 'none' }, 10).y.data)).not.toEqual(
      Array.from(obs.y.data),
    );
    // σ = 0 adds nothing.
    expect(Array.from(observe(clean, { kind: 'gaussian', sigma: 0 }, { kind: 'none' }, 9).y.data)).toEqual(
      Array.from(clean.data),
    );
  });

  it('refuses a negative or non-finite σ or ε', () => {
    const clean = randomBatch(63, 4, 2);
    const none = { kind: 'none' } as const;
    expect(() => observe(clean, { kind: 'gaussian', sigma: -0.1 }, none, 1)).toThrow('noise σ must be a finite number');
    expect(() => observe(clean, { kind: 'gaussian', sigma: Number.NaN }, none, 1)).toThrow('got NaN');
    expect(() => observe(clean, { kind: 'gaussian', sigma: Infinity }, none, 1)).toThrow('got Infinity');
    expect(() => observe(clean, { kind: 'bounded', epsilon: -1 }, none, 1)).toThrow('noise ε must be a finite number');
    expect(() => observe(clean, { kind: 'bounded', epsilon: Number.NaN }, none, 1)).toThrow(RangeError);
  });

  it('adds bounded noise of norm exactly ε to every signal, in different directions', () => {
    const n = 50;
    const count = 8;
    const epsilon = 0.3;
    const clean = randomBatch(64, n, count);
    const obs = observe(clean, { kind: 'bounded', epsilon }, { kind: 'none' }, 11);
    const directions: number[][] = [];
    for (let j = 0; j < count; j++) {
      const e = Array.from({ length: n }, (_, i) => obs.y.data[i * count + j] - clean.data[i * count + j]);
      const norm = Math.sqrt(e.reduce((s, v) => s + v * v, 0));
      expect(Math.abs(norm - epsilon) / epsilon).toBeLessThan(1e-12);
      directions.push(e.map((v) => v / norm));
    }
    // Random directions in 50 dimensions are far from parallel: |cos| < 0.8 for every pair.
    for (let j = 0; j < count; j++) {
      for (let k = j + 1; k < count; k++) {
        const cos = directions[j].reduce((s, v, i) => s + v * directions[k][i], 0);
        expect(Math.abs(cos)).toBeLessThan(0.8);
      }
    }
    // ε = 0 adds nothing.
    expect(Array.from(observe(clean, { kind: 'bounded', epsilon: 0 }, { kind: 'none' }, 11).y.data)).toEqual(
      Array.from(clean.data),
    );
  });

  it('zeroes hidden pixels and keeps known ones (no noise)', () => {
    const n = 64;
    const count = 5;
    const clean = randomBatch(65, n, count);
    const obs = observe(clean, { kind: 'none' }, { kind: 'random', fraction: 0.25 }, 12);
    const known = obs.known!;
    expect(known.length).toBe(n * count);
    for (let i = 0; i < n * count; i++) expect(obs.y.data[i]).toBe(known[i] ? clean.data[i] : 0);
    for (let j = 0; j < count; j++) expect(knownCount(obs, j)).toBe(48);
    // The mask is reproducible from the seed, and changes with it.
    const again = observe(clean, { kind: 'none' }, { kind: 'random', fraction: 0.25 }, 12);
    expect(Array.from(again.known!)).toEqual(Array.from(known));
    const other = observe(clean, { kind: 'none' }, { kind: 'random', fraction: 0.25 }, 13);
    expect(Array.from(other.known!)).not.toEqual(Array.from(known));
  });

  it('with a mask: hidden pixels are exactly 0 and bounded noise has norm ε on the known pixels', () => {
    const n = 784;
    const count = 4;
    const epsilon = 2;
    const clean = randomBatch(66, n, count);
    for (const mask of [
      { kind: 'rows', from: 0, to: 12 },
      { kind: 'random', fraction: 0.45 },
    ] as const) {
      const obs = observe(clean, { kind: 'bounded', epsilon }, mask, 14);
      const known = obs.known!;
      expect(obs.mask).toEqual(mask);
      for (let j = 0; j < count; j++) {
        let ss = 0;
        for (let i = 0; i < n; i++) {
          const k = i * count + j;
          if (known[k]) ss += (obs.y.data[k] - clean.data[k]) ** 2;
          else expect(obs.y.data[k]).toBe(0);
        }
        expect(Math.abs(Math.sqrt(ss) - epsilon) / epsilon).toBeLessThan(1e-12);
        expect(knownCount(obs, j)).toBe(mask.kind === 'rows' ? n - 364 : n - 353);
      }
    }
  });

  it('with a mask and Gaussian noise: hidden pixels are 0, known ones carry noise of std σ', () => {
    const n = 400;
    const count = 25;
    const sigma = 0.5;
    const clean = randomBatch(67, n, count);
    const obs = observe(clean, { kind: 'gaussian', sigma }, { kind: 'rows', from: 0, to: 9 }, 15);
    const known = obs.known!;
    const e: number[] = [];
    for (let k = 0; k < n * count; k++) {
      if (known[k]) e.push(obs.y.data[k] - clean.data[k]);
      else expect(obs.y.data[k]).toBe(0);
    }
    // 20×20 image, rows 0-9 hidden: 200 known pixels per signal.
    expect(e.length).toBe(200 * count);
    for (let j = 0; j < count; j++) expect(knownCount(obs, j)).toBe(200);
    const N = e.length;
    const std = Math.sqrt(e.reduce((s, v) => s + v * v, 0) / N);
    expect(Math.abs(std - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * N));
  });
});
