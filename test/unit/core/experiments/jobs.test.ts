import { describe, expect, it } from 'vitest';
import { createCheck } from '../../../../src/core/experiments/check';
import {
  chunkSeed,
  invertExperiment,
  supportJaccard,
  thinHistory,
  type InvertReport,
} from '../../../../src/core/experiments/invert';
import {
  chunkCount,
  chunkSettings,
  decodeChunk,
  encodeChunk,
  mergeChunks,
  normalizeJobSpec,
  runChunk,
  type ChunkResult,
  type JobSpec,
} from '../../../../src/core/experiments/jobs';
import { randomGaussianGenerator } from '../../../../src/core/model/random';

const gen = randomGaussianGenerator([10, 40, 80], { kind: 'tanh' }, 0);
const clock = () => 0;

/** A report as text without its timings, the one part that may differ between runs. */
const comparable = (report: object) => JSON.stringify(report, (k, v: unknown) => (k === 'seconds' ? undefined : v));

/** Every chunk computed in `order`, round-tripped through the chunk file format, merged in chunk order. */
function chunked(spec: JobSpec, order: number[]) {
  const texts = new Map<number, string>();
  for (const k of order) texts.set(k, encodeChunk(runChunk(gen, spec, k, clock)));
  const chunks: ChunkResult[] = [];
  for (let k = 0; k < chunkCount(spec); k++) chunks.push(decodeChunk(texts.get(k)!));
  return mergeChunks(gen, spec, chunks);
}

describe('invert jobs', () => {
  const spec = normalizeJobSpec({
    kind: 'invert',
    model: 'random:10,40,80:tanh',
    methods: ['oracle', 'lbp'],
    count: 10,
    seed: 4,
    mask: 'random:0.2',
    noise: 0.001,
    chunkSize: 3,
  }) as Extract<JobSpec, { kind: 'invert' }>;

  it('merges to the same report whatever order the chunks were computed in', () => {
    expect(chunkCount(spec)).toBe(4);
    const a = chunked(spec, [0, 1, 2, 3]);
    const b = chunked(spec, [3, 1, 0, 2]);
    expect(comparable(a)).toBe(comparable(b));
    const report = a as InvertReport;
    expect(report.settings.count).toBe(10);
    expect(report.methods.oracle!.signals).toHaveLength(10);
    // The last chunk is the short one: 3 + 3 + 3 + 1.
    expect(chunkSettings(spec, 3)).toMatchObject({ chunk: 3, signals: [9, 10] });
  });

  it('draws different signals in different chunks (each chunk has its own seed)', () => {
    const a = chunked(spec, [0, 1, 2, 3]) as InvertReport;
    const snr = a.methods.lbp!.signals.map((s) => s.snrImage);
    expect(new Set(snr).size).toBe(snr.length);
    const seeds = Array.from({ length: 1000 }, (_, k) => chunkSeed(4, k));
    expect(new Set(seeds).size).toBe(1000);
    for (const s of seeds) expect(Number.isSafeInteger(s + 3)).toBe(true);
  });

  it('gives, as one chunk, exactly the one-pass experiment (with convergence records, which the job kind turns on)', () => {
    const one = { ...spec, chunkSize: spec.count };
    const steps = invertExperiment(gen, { ...one, convergence: true }, clock);
    let next = steps.next();
    while (!next.done) next = steps.next();
    expect(comparable(chunked(one, [0]))).toBe(comparable(next.value));
  });
});

describe('convergence records of invert jobs', () => {
  const spec = normalizeJobSpec({
    kind: 'invert',
    model: 'random:10,40,80:tanh',
    methods: ['oracle', 'lbp', 'gd'],
    count: 4,
    seed: 2,
    options: { gd: { maxIterations: 300, restarts: 1 } },
  });
  const report = chunked(spec, [0]) as InvertReport;

  it("keeps each signal's objective history, thinned to ≤ 100 points", () => {
    for (const s of report.methods.lbp!.signals) {
      expect(s.history!.length).toBeGreaterThan(1);
      expect(s.history!.length).toBeLessThanOrEqual(100);
    }
    // GD runs 300 iterations: thinned to exactly 100 points, starting from the first value.
    for (const s of report.methods.gd!.signals) expect(s.history).toHaveLength(100);
  });

  it('keeps each signal’s misfit history beside it, thinned at the same points, never above the objective', () => {
    for (const m of ['oracle', 'lbp', 'gd'] as const)
      for (const s of report.methods[m]!.signals) {
        expect(s.misfit).toHaveLength(s.history!.length);
        s.history!.forEach((v, i) =>
          Number.isFinite(v) ? expect(s.misfit![i]).toBeLessThanOrEqual(v) : expect(s.misfit![i]).toBeNaN(),
        );
      }
    // GD has no penalty: its misfit is its objective, thinned alike.
    for (const s of report.methods.gd!.signals) expect(s.misfit).toEqual(s.history);
  });

  it('measures support agreement per hidden layer for layer-wise methods only, 1 on exact recovery', () => {
    for (const s of [...report.methods.lbp!.signals, ...report.methods.oracle!.signals]) {
      expect(s.supportAgreement).toHaveLength(1); // one hidden layer
      if (s.relErrZ < 1e-6) expect(s.supportAgreement![0]).toBe(1);
    }
    for (const s of report.methods.gd!.signals) expect(s.supportAgreement).toBeUndefined();
  });
});

describe('thinHistory and supportJaccard', () => {
  it('thins evenly, keeping first and last, rounding to 6 significant digits', () => {
    expect(thinHistory([1, 2, 3, 4, 5], 3)).toEqual([1, 3, 5]);
    expect(thinHistory([1.23456789, Infinity])).toEqual([1.23457, Infinity]);
    expect(thinHistory([])).toEqual([]);
    const long = thinHistory(Array.from({ length: 1001 }, (_, i) => i));
    expect(long).toHaveLength(100);
    expect([long[0], long[99]]).toEqual([0, 1000]);
  });

  it('is |Ŝ ∩ S| / |Ŝ ∪ S| of column j, supports read with the tolerance, 1 when both are empty', () => {
    // 4 × 2 matrices; column 0: estimate support {0, 1}, truth support {1, 2} → 1/3.
    const est = Float64Array.from([1, 0, 0.5, 0, 1e-9, 0, 0, 0]);
    const tru = Float64Array.from([0, 0, 2, 0, 1, 0, 0, 0]);
    expect(supportJaccard(est, tru, 4, 2, 0, 1e-6)).toBeCloseTo(1 / 3, 15);
    expect(supportJaccard(est, tru, 4, 2, 1, 1e-6)).toBe(1);
  });
});

describe('check jobs', () => {
  it('merges to the report of one createCheck pass with the same seed, whatever the chunk size', () => {
    const spec = normalizeJobSpec({
      kind: 'check',
      model: 'random:10,40,80:tanh',
      samples: 23,
      seed: 5,
      noise: 0.01,
      chunkSize: 5,
    });
    const stepper = createCheck(gen, { samples: 23, seed: 5, noise: 0.01 });
    while (stepper.done < stepper.total) stepper.step();
    const onePass = stepper.result('completed');
    expect(JSON.stringify(chunked(spec, [4, 2, 0, 1, 3]))).toBe(JSON.stringify(onePass));
  });
});

describe('job specs', () => {
  it('fills every default, so spec.json alone reproduces a run', () => {
    expect(normalizeJobSpec({ kind: 'invert', model: 'm.json' })).toEqual({
      kind: 'invert',
      model: 'm.json',
      methods: ['lp'],
      count: 64,
      seed: 0,
      mask: { kind: 'none' },
      noise: { kind: 'none' },
      successThreshold: 1e-3,
      certify: false,
      options: {},
      chunkSize: 16,
      draws: 'signal',
    });
  });

  it.each([
    [{ kind: 'reconstruct', model: 'm' }, /"kind" must be one of invert, check, sweep, trained, noise, project/],
    [{ kind: 'invert' }, /"model"/],
    [{ kind: 'invert', model: 'm', count: 0 }, /"count" must be an integer ≥ 1/],
    [{ kind: 'invert', model: 'm', methods: ['nope'] }, /"methods"/],
    [{ kind: 'invert', model: 'm', mask: 'random:2' }, /mask fraction/],
    [{ kind: 'invert', model: 'm', draws: 'block' }, /"draws" must be "signal" or "chunk", got "block"/],
    [{ kind: 'check', model: 'm', sampels: 3 }, /unknown field\(s\) for a check job: sampels/],
  ])('refuses %j, naming the field', (raw, message) => {
    expect(() => normalizeJobSpec(raw)).toThrow(message);
  });
});

describe('chunk files', () => {
  it('keep ±Infinity and NaN, which plain JSON turns into null', () => {
    const block = { tolerance: Infinity, samples: [{ saturated: Number.NaN, bound: { layers: [-Infinity], z: 1 } }] };
    const back = decodeChunk(encodeChunk(block as unknown as ChunkResult)) as unknown as typeof block;
    expect(back.tolerance).toBe(Infinity);
    expect(back.samples[0].saturated).toBeNaN();
    expect(back.samples[0].bound.layers[0]).toBe(-Infinity);
  });
});
