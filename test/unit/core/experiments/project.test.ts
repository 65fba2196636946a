// The project job: given signals (not drawn ones) inverted by every method —
// a signal made as G(z) is recovered with a certificate, a signal off the
// generator's range gets its best fit, how far off it is and no certificate.
import { describe, expect, it } from 'vitest';
import {
  checkJobModel,
  chunkCount,
  chunkJob,
  chunkSettings,
  decodeChunk,
  encodeChunk,
  mergeChunks,
  normalizeJobSpec,
  runChunk,
  type ChunkResult,
  type JobSpec,
} from '../../../../src/core/experiments/jobs';
import type { InvertReport } from '../../../../src/core/experiments/invert';
import type { ProjectResult } from '../../../../src/core/experiments/project';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { randomGaussianGenerator } from '../../../../src/core/model/random';

const clock = () => 0;
const comparable = (report: object) => JSON.stringify(report, (k, v: unknown) => (k === 'seconds' ? undefined : v));
// s₁ ≈ n₁/2 = 20 ≥ n₀ = 10: Latent-Pursuit recovers, Theorem 1 can certify (the Fig. 2 regime).
const gen = randomGaussianGenerator([10, 40, 64], { kind: 'tanh' }, 3);

/** G(z) for `count` latents drawn from `seed`, as plain lists. */
function onRange(count: number, seed: number): number[][] {
  const z = matrix(10, count, createRng(seed).fillGaussian(new Float64Array(10 * count)));
  const out = forward(gen, z).output;
  return Array.from({ length: count }, (_, j) => Array.from({ length: 64 }, (_, i) => out.data[i * count + j]));
}

function run(spec: JobSpec, order?: number[]): ProjectResult {
  checkJobModel(spec, gen);
  const total = chunkCount(spec);
  const texts = new Map<number, string>();
  for (const k of order ?? Array.from({ length: total }, (_, i) => i))
    texts.set(k, encodeChunk(runChunk(gen, spec, k, clock)));
  const chunks: ChunkResult[] = [];
  for (let k = 0; k < total; k++) chunks.push(decodeChunk(texts.get(k)!));
  return mergeChunks(gen, spec, chunks) as ProjectResult;
}

describe('project jobs', () => {
  it('fills in the defaults and refuses what it cannot run', () => {
    const spec = normalizeJobSpec({ kind: 'project', model: 'random:10,40,64', signals: [[0.1, 0.2]] });
    expect(spec).toMatchObject({
      kind: 'project',
      methods: ['lp', 'lbp', 'gd'],
      seed: 0,
      offRangeThreshold: 1e-3,
      chunkSize: 16,
    });
    const bad = (raw: object) => () => normalizeJobSpec({ kind: 'project', model: 'm.onnx', ...raw });
    expect(bad({})).toThrow(/"signals" must be a non-empty list/);
    expect(bad({ signals: [[1, Number.NaN]] })).toThrow(/finite numbers/);
    expect(bad({ signals: [[1, 2], [3]] })).toThrow(/signal 1 has 1 values/);
    expect(bad({ signals: [[1, 2]], methods: ['oracle'] })).toThrow(/needs the true hidden layers/);
    expect(bad({ signals: [[1, 2]], hidden: [1, 0] })).toThrow(/increasing pixel indices/);
    expect(bad({ signals: [[1, 2]], hidden: [0, 1] })).toThrow(/hides every pixel/);
    expect(bad({ signals: [[1, 2]], input: { file: 'a.png' } })).toThrow(/"input" records a file/);
    expect(bad({ signals: [[1, 2]], count: 3 })).toThrow(/unknown field\(s\) for a project job: count/);
    // The model's output length is checked against the signals before any chunk runs.
    const short = normalizeJobSpec({ kind: 'project', model: 'x', signals: [[1, 2, 3]] });
    expect(() => checkJobModel(short, gen)).toThrow(/signal 0 has 3 values, but the model's output has n = 64/);
  });

  it('recovers a signal on the range with a certificate, and gives an off-range signal its best fit and no certificate', () => {
    const rng = createRng(99);
    const off = Array.from({ length: 64 }, () => 1.6 * rng.uniform() - 0.8);
    const spec = normalizeJobSpec({
      kind: 'project',
      model: 'random:10,40,64:tanh@3',
      methods: ['lp', 'gd'],
      signals: [...onRange(1, 5), off],
      options: { gd: { maxIterations: 200, restarts: 1 } },
      chunkSize: 1,
    });
    const r = run(spec);
    expect(r.kind).toBe('project');
    expect(r.settings).toMatchObject({ count: 2, n: 64, hidden: 0, offRangeThreshold: 1e-3 });
    const [good, bad] = r.signals;
    const lp = good.methods.lp!;
    expect(lp.onRange).toBe(true);
    expect(lp.relativeResidual).toBeLessThan(1e-8);
    expect(lp.certificate?.certified).toBe(true);
    expect(lp.verdict).toMatch(/certified unique by Theorem 1/);
    expect(lp.output).toHaveLength(64);
    expect(lp.z).toHaveLength(10);
    expect(good).toMatchObject({ best: 'lp', onRange: true, certified: true });

    expect(bad.onRange).toBe(false);
    expect(bad.certified).toBe(false);
    for (const m of ['lp', 'gd'] as const) {
      const fit = bad.methods[m]!;
      expect(fit.onRange).toBe(false);
      expect(fit.certificate).toBeUndefined();
      expect(fit.relativeResidual).toBeGreaterThan(1e-2);
      expect(fit.verdict).toMatch(/^off the generator's range by [\d.e-]+ \(relative residual/);
    }
    expect(bad.verdict).toMatch(/off the generator's range by .* no certificate claimed/);
    // The best fit is the smaller residual of the two.
    const best = bad.methods[bad.best]!.relativeResidual;
    expect(best).toBeLessThanOrEqual(Math.min(bad.methods.lp!.relativeResidual, bad.methods.gd!.relativeResidual));
    expect(r.methods.lp).toMatchObject({ onRange: 1, certified: 1 });
    // 64 = 8 × 8: the first signals kept as images, rounded to 4 digits.
    expect(r.examples?.signals).toHaveLength(2);
    expect(r.examples?.signals[0].methods.lp).toHaveLength(64);
    expect(r.examples?.signals[0].truth![0]).toBe(Number(spec.kind === 'project' && spec.signals[0][0].toPrecision(4)));
  });

  it('fits only the known pixels under a mask and reports the error on the hidden ones', () => {
    const hidden = Array.from({ length: 16 }, (_, i) => i); // the top two rows of the 8 × 8 image
    const spec = normalizeJobSpec({
      kind: 'project',
      model: 'random:10,40,64:tanh@3',
      methods: ['lp'],
      signals: onRange(3, 8),
      hidden,
      chunkSize: 2,
    });
    expect(chunkCount(spec)).toBe(2);
    expect(chunkSettings(spec, 1)).toMatchObject({ chunk: 1, signals: [2, 3] });
    const r = run(spec);
    expect(r.settings.hidden).toBe(16);
    for (const s of r.signals) {
      expect(s.methods.lp!.onRange).toBe(true);
      // 48 known equations for 10 unknowns: the hidden rows are inpainted exactly.
      expect(s.methods.lp!.hiddenRelativeError).toBeLessThan(1e-6);
    }
    expect(r.examples!.signals[0].observed.slice(0, 16).every((v) => v === null)).toBe(true);
    expect(r.examples!.signals[0].observed[16]).not.toBeNull();
  });

  it('gives the same result whatever the order the chunks were computed in', () => {
    const spec = normalizeJobSpec({
      kind: 'project',
      model: 'random:10,40,64:tanh@3',
      methods: ['lp', 'gd'],
      signals: onRange(3, 2),
      options: { gd: { maxIterations: 50, restarts: 1 } },
      chunkSize: 1,
    });
    expect(comparable(run(spec, [2, 0, 1]))).toBe(comparable(run(spec)));
    // A worker gets only its chunk's signals (the others empty): the same chunk, bit for bit.
    const slim = chunkJob(spec, 1) as Extract<JobSpec, { kind: 'project' }>;
    expect(slim.signals.map((s) => s.length)).toEqual([0, 64, 0]);
    expect(encodeChunk(runChunk(gen, slim, 1, clock))).toBe(encodeChunk(runChunk(gen, spec, 1, clock)));
  });
});

describe('example images of invert jobs', () => {
  it("keeps the run's first ≤ 4 signals, from whichever chunks hold them, for a square output, and none for another", () => {
    const square = normalizeJobSpec({
      kind: 'invert',
      model: 'random:10,40,64:tanh@3',
      methods: ['lbp'],
      count: 9,
      seed: 1,
      mask: 'rows:0-1',
      chunkSize: 3,
    });
    const chunks = [0, 1, 2].map((k) => decodeChunk(encodeChunk(runChunk(gen, square, k, clock))));
    const report = mergeChunks(gen, square, chunks) as InvertReport;
    expect(report.examples?.signals).toHaveLength(4);
    expect(report.examples!.signals[0].observed.slice(0, 16).every((v) => v === null)).toBe(true);
    // LBP recovers these: its G(ẑ) is the truth to the 4 digits kept.
    expect(report.examples!.signals[3].methods.lbp).toEqual(report.examples!.signals[3].truth);
    // Chunk 0 holds signals 0–2, chunk 1 signal 3 of the examples, chunk 2 none.
    const examplesOf = (k: number) => (chunks[k] as { examples?: { signals: unknown[] } }).examples?.signals.length;
    expect([0, 1, 2].map(examplesOf)).toEqual([3, 1, undefined]);
    const wide = randomGaussianGenerator([10, 40, 80], { kind: 'tanh' }, 3);
    const other = normalizeJobSpec({ kind: 'invert', model: 'random:10,40,80', methods: ['lbp'], count: 2 });
    expect((runChunk(wide, other, 0, clock) as { examples?: unknown }).examples).toBeUndefined();
  });
});
