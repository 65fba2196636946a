// The sweep, trained and noise jobs: their specs (defaults, refusals), and
// merges that do not depend on the order in which chunks were computed.
import { describe, expect, it } from 'vitest';
import {
  checkJobModel,
  chunkCost,
  chunkCount,
  chunkSettings,
  decodeChunk,
  encodeChunk,
  mergeChunks,
  normalizeJobSpec,
  partialReport,
  runChunk,
  type ChunkResult,
  type JobSpec,
} from '../../../../src/core/experiments/jobs';
import { DEFAULT_NOISE_SIGMAS, logGrid, type NoiseResult } from '../../../../src/core/experiments/noise';
import { DEFAULT_SWEEP_N1, type SweepResult } from '../../../../src/core/experiments/sweep';
import { trainedRowsMask, type TrainedResult } from '../../../../src/core/experiments/trained';
import { invertExperiment } from '../../../../src/core/experiments/invert';
import { randomGaussianGenerator } from '../../../../src/core/model/random';

const clock = () => 0;
const comparable = (report: object) => JSON.stringify(report, (k, v: unknown) => (k === 'seconds' ? undefined : v));

function chunked(gen: Parameters<typeof runChunk>[0], spec: JobSpec, order: number[]) {
  const texts = new Map<number, string>();
  for (const k of order) texts.set(k, encodeChunk(runChunk(gen, spec, k, clock)));
  const chunks: ChunkResult[] = [];
  for (let k = 0; k < chunkCount(spec); k++) chunks.push(decodeChunk(texts.get(k)!));
  return mergeChunks(gen, spec, chunks);
}

describe('sweep jobs', () => {
  it('fills in the paper’s grid and refuses unknown fields and a model', () => {
    const spec = normalizeJobSpec({ kind: 'sweep' }) as Extract<JobSpec, { kind: 'sweep' }>;
    expect(spec.n1).toEqual([
      50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 550, 600, 650, 700, 750, 800, 850, 900, 950, 1000,
    ]);
    expect(DEFAULT_SWEEP_N1).toHaveLength(20);
    expect(spec.n0).toEqual([100, 200]);
    expect(spec.n).toBe(625);
    expect(spec.count).toBe(512);
    expect(spec.methods).toEqual(['lp', 'lbp', 'gd']);
    expect(spec.model).toBe('random:100,50,625:tanh');
    expect(spec.chunkSize).toBe(64);
    // 40 grid points × 8 blocks of 64 signals.
    expect(chunkCount(spec)).toBe(320);
    expect(chunkSettings(spec, 9)).toEqual({
      chunk: 9,
      n0: 100,
      n1: 100,
      signals: [64, 128],
      methods: ['lp', 'lbp', 'gd'],
      seed: 0,
    });
    // The dearest chunks (largest n1, then n0) are scheduled first.
    expect(chunkCost(spec, 319)).toBeGreaterThan(chunkCost(spec, 0));
    // The normalised spec reads back as itself (spec.json is re-read on resume).
    expect(normalizeJobSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    expect(() => normalizeJobSpec({ kind: 'sweep', n2: [3] })).toThrow(/unknown field\(s\) for a sweep job: n2/);
    expect(() => normalizeJobSpec({ kind: 'sweep', model: 'random:1,2,3' })).toThrow(/leave "model" out/);
    expect(() => normalizeJobSpec({ kind: 'sweep', n1: [] })).toThrow(/"n1" must be a non-empty list/);
    expect(() => normalizeJobSpec({ kind: 'sweep', methods: ['lp', 'lp'] })).toThrow(/twice/);
  });

  const spec = normalizeJobSpec({
    kind: 'sweep',
    n0: [4, 6],
    n1: [4, 24],
    n: 40,
    count: 6,
    seed: 3,
    methods: ['lbp', 'oracle'],
    chunkSize: 4,
  }) as Extract<JobSpec, { kind: 'sweep' }>;
  const gen = randomGaussianGenerator([4, 4, 40], { kind: 'tanh' }, 0);

  it('merges grid points in grid order whatever order their blocks were computed in', () => {
    // 4 points × 2 blocks (4 + 2 signals).
    expect(chunkCount(spec)).toBe(8);
    const a = chunked(gen, spec, [0, 1, 2, 3, 4, 5, 6, 7]) as SweepResult;
    const b = chunked(gen, spec, [5, 2, 7, 3, 1, 0, 6, 4]) as SweepResult;
    expect(comparable(a)).toBe(comparable(b));
    expect(a.kind).toBe('sweep');
    expect(Object.keys(a).sort()).toEqual(['kind', 'points', 'settings']);
    expect(a.points.map((p) => [p.n0, p.n1])).toEqual([
      [4, 4],
      [4, 24],
      [6, 4],
      [6, 24],
    ]);
    expect(chunkSettings(spec, 7)).toMatchObject({ n0: 6, n1: 24, signals: [4, 6] });
    for (const p of a.points) {
      expect(Object.keys(p.methods)).toEqual(['lbp', 'oracle']);
      for (const m of Object.values(p.methods)) {
        for (const q of [m.layers.z, m.layers.x1, m.layers.image]) {
          expect(q.p10).toBeLessThanOrEqual(q.p25);
          expect(q.p25).toBeLessThanOrEqual(q.p50);
          expect(q.p50).toBeLessThanOrEqual(q.p75);
          expect(q.p75).toBeLessThanOrEqual(q.p90);
          expect(q.p90).toBeLessThanOrEqual(400);
        }
      }
    }
    // n1 = 4 has s1 ≤ 4: never ≥ n0 = 6, so Theorem 2 cannot hold there.
    expect(a.points[2].theorem2.passFraction).toBe(0);
    expect(a.points[2].medianS1).toBeLessThanOrEqual(4);
  });

  it("counts, per grid point, the values the paper's grid protocols chose", () => {
    const grids = normalizeJobSpec({
      ...spec,
      model: undefined,
      methods: ['lbp', 'gd'],
      options: { lbp: { lambdaGrid: [1e-3, 0] }, gd: { stepGrid: [1e-2, 1e-1], maxIterations: 200 } },
    }) as Extract<JobSpec, { kind: 'sweep' }>;
    const point = (chunked(gen, grids, [0, 1, 2, 3, 4, 5, 6, 7]) as SweepResult).points[1];
    const lbp = point.methods.lbp!.choices!;
    expect(lbp.parameter).toBe('lambda');
    expect(lbp.values.reduce((a, v) => a + v.signals, 0)).toBe(spec.count);
    expect(lbp.met).toBe(spec.count);
    const gd = point.methods.gd!.choices!;
    expect(gd.parameter).toBe('step');
    expect(gd.values.every((v) => [1e-2, 1e-1].includes(v.value))).toBe(true);
    expect(gd.values.reduce((a, v) => a + v.signals, 0)).toBe(spec.count);
    // Without a protocol nothing is recorded.
    expect(
      (chunked(gen, spec, [0, 1, 2, 3, 4, 5, 6, 7]) as SweepResult).points[1].methods.lbp!.choices,
    ).toBeUndefined();
  });

  it("counts, per grid point, the hybrid's winning paths: descent first where n1 > n", () => {
    const hybrid = normalizeJobSpec({
      ...spec,
      model: undefined,
      n1: [24, 60],
      methods: ['hybrid', 'lbp'],
      options: { hybrid: { gd: { maxIterations: 300 } } },
    }) as Extract<JobSpec, { kind: 'sweep' }>;
    const points = (chunked(gen, hybrid, [0, 1, 2, 3, 4, 5, 6, 7]) as SweepResult).points;
    for (const p of points) {
      const paths = p.methods.hybrid!.paths!;
      expect(Object.values(paths).reduce((a, v) => a + v, 0)).toBe(spec.count);
      // n1 = 60 > n = 40: every signal starts with a random-start descent, and LP only follows where it fails.
      if (p.n1 === 60) expect(paths.lp ?? 0).toBeLessThan(spec.count);
      else expect(paths['gd-random'] ?? 0).toBe(0);
    }
    expect(points.every((p) => p.methods.lbp!.paths === undefined)).toBe(true);
  });

  it('shows, while it runs, exactly the grid points whose blocks are all done', () => {
    const chunks: (ChunkResult | undefined)[] = new Array(chunkCount(spec)).fill(undefined);
    expect((partialReport(spec, chunks) as SweepResult).points).toEqual([]);
    // Point 1's two blocks (chunks 2, 3) and one block of point 3 (chunk 7).
    for (const k of [2, 3, 7]) chunks[k] = runChunk(gen, spec, k, clock);
    const partial = partialReport(spec, chunks) as SweepResult;
    const full = chunked(gen, spec, [0, 1, 2, 3, 4, 5, 6, 7]) as SweepResult;
    expect(comparable(partial.points)).toBe(comparable([full.points[1]]));
    expect(partial.settings).toEqual(full.settings);
    expect(partialReport(normalizeJobSpec({ kind: 'invert', model: 'random:4,4,40' }), [])).toBeUndefined();
  });

  it('refuses a merge with a chunk missing', () => {
    const chunks = [0, 1, 2].map((k) => runChunk(gen, spec, k, clock));
    expect(() => mergeChunks(gen, spec, chunks)).toThrow(/merge needs 8 chunks, got 3/);
  });
});

describe('trained jobs', () => {
  it('hides the top 13 rows of 28, the same share of other squares, and refuses non-squares', () => {
    expect(trainedRowsMask(784)).toEqual({ kind: 'rows', from: 0, to: 12 });
    expect(trainedRowsMask(64)).toEqual({ kind: 'rows', from: 0, to: 3 });
    expect(() => trainedRowsMask(80)).toThrow(/must be a square image; it has 80 values/);
    const spec = normalizeJobSpec({ kind: 'trained', model: 'random:4,30,80' });
    expect(() => checkJobModel(spec, randomGaussianGenerator([4, 30, 80], { kind: 'tanh' }, 0))).toThrow(/square/);
  });

  it('defaults to the paper’s Fig. 3 and refuses unknown fields', () => {
    const spec = normalizeJobSpec({ kind: 'trained', model: 'm.onnx' }) as Extract<JobSpec, { kind: 'trained' }>;
    expect(spec.methods).toEqual(['lp', 'lbp', 'oracle', 'gd']);
    expect(spec.count).toBe(512);
    expect(chunkCount(spec)).toBe(3 * 32);
    expect(() => normalizeJobSpec({ kind: 'trained', model: 'm.onnx', mask: 'none' })).toThrow(
      /unknown field\(s\) for a trained job: mask/,
    );
  });

  const gen = randomGaussianGenerator([4, 30, 64], { kind: 'tanh' }, 1);
  const spec = normalizeJobSpec({
    kind: 'trained',
    model: 'random:4,30,64',
    methods: ['oracle', 'lbp'],
    count: 5,
    seed: 2,
    chunkSize: 2,
  }) as Extract<JobSpec, { kind: 'trained' }>;

  it('is three invert experiments, merged the same whatever the chunk order', () => {
    expect(chunkCount(spec)).toBe(9);
    const a = chunked(gen, spec, [0, 1, 2, 3, 4, 5, 6, 7, 8]) as TrainedResult;
    const b = chunked(gen, spec, [8, 3, 5, 0, 7, 1, 6, 2, 4]) as TrainedResult;
    expect(comparable(a)).toBe(comparable(b));
    expect(a.settings.map((s) => s.name)).toEqual(['clean', 'random', 'rows']);
    expect(a.settings.map((s) => s.mask)).toEqual([
      { kind: 'none' },
      { kind: 'random', fraction: 0.45 },
      { kind: 'rows', from: 0, to: 3 },
    ]);
    for (const s of a.settings) expect(s.report.methods.lbp!.signals).toHaveLength(5);
    // Example images from each setting's first chunk only (2 signals): G(z), the observation, each G(ẑ).
    for (const s of a.settings) {
      const ex = s.report.examples!;
      expect(ex.truthLabel).toBe('G(z)');
      expect(ex.signals).toHaveLength(2);
      expect(Object.keys(ex.signals[0].methods)).toEqual(['oracle', 'lbp']);
      expect(ex.signals[0].truth).toHaveLength(64);
      for (const v of ex.signals[0].truth!) expect(v).toBe(Number(v.toPrecision(4)));
    }
    // The rows setting hides the top ⌈13·8/28⌉ = 4 rows: null in the observation.
    expect(a.settings[2].report.examples!.signals[0].observed.slice(0, 32).every((v) => v === null)).toBe(true);
    expect(a.settings[0].report.examples!.signals[0].observed.every((v) => v !== null)).toBe(true);
    expect(chunkSettings(spec, 4)).toMatchObject({ setting: 'random', signals: [2, 4] });
  });

  it('clean setting in one chunk is exactly the invert experiment (with the example images the job keeps)', () => {
    const one = normalizeJobSpec({ ...spec, chunkSize: 5 }) as Extract<JobSpec, { kind: 'trained' }>;
    const merged = chunked(gen, one, [0, 1, 2]) as TrainedResult;
    const steps = invertExperiment(
      gen,
      { ...one, mask: { kind: 'none' }, noise: { kind: 'none' }, examples: true },
      clock,
    );
    let next = steps.next();
    while (!next.done) next = steps.next();
    expect(comparable(merged.settings[0].report)).toBe(comparable(next.value));
  });
});

describe('noise jobs', () => {
  it('defaults to 8 σ log-spaced from 1e-3 to 0.3 and refuses bad σ', () => {
    const spec = normalizeJobSpec({ kind: 'noise', model: 'm.onnx' }) as Extract<JobSpec, { kind: 'noise' }>;
    expect(spec.sigmas).toEqual(DEFAULT_NOISE_SIGMAS);
    expect(spec.sigmas).toHaveLength(8);
    expect(spec.sigmas[0]).toBeCloseTo(1e-3, 15);
    expect(spec.sigmas[7]).toBeCloseTo(0.3, 15);
    expect(spec.methods).toEqual(['lp', 'lbp', 'oracle-e2e']);
    expect(chunkCount(spec)).toBe(9);
    expect(logGrid(1, 100, 3)).toEqual([1, 10, 100]);
    expect(() => normalizeJobSpec({ kind: 'noise', model: 'm', sigmas: [0.1, 0] })).toThrow(/"sigmas" must be/);
    expect(() => normalizeJobSpec({ kind: 'noise', model: 'm', mask: 'none' })).toThrow(/unknown field/);
  });

  const gen = randomGaussianGenerator([4, 30, 60], { kind: 'identity' }, 5);
  const spec = normalizeJobSpec({
    kind: 'noise',
    model: 'random:4,30,60:identity@5',
    sigmas: [1e-3, 1e-1],
    methods: ['oracle-e2e', 'lbp'],
    count: 6,
    boundSignals: 4,
  }) as Extract<JobSpec, { kind: 'noise' }>;

  it('merges σ points in order, with Theorem 4’s band shifting by 20 dB per decade of σ', () => {
    const a = chunked(gen, spec, [0, 1, 2]) as NoiseResult;
    const b = chunked(gen, spec, [2, 1, 0]) as NoiseResult;
    expect(comparable(a)).toBe(comparable(b));
    expect(a.points.map((p) => p.sigma)).toEqual([1e-3, 1e-1]);
    const [lo, hi] = a.points;
    expect(lo.theorem4.snrZ.low).toBeLessThanOrEqual(lo.theorem4.snrZ.high);
    expect(lo.theorem4.snrZ.low - hi.theorem4.snrZ.low).toBeCloseTo(40, 9);
    // More noise, worse recovery by the oracle.
    expect(lo.methods['oracle-e2e']!.snrZ.p50).toBeGreaterThan(hi.methods['oracle-e2e']!.snrZ.p50);
    // Identity φ: the Oracle's SNR lies near the band (a median against an expectation's bounds: a loose check).
    expect(hi.methods['oracle-e2e']!.snrZ.p50).toBeGreaterThan(hi.theorem4.snrZ.low - 10);
    expect(hi.methods['oracle-e2e']!.snrZ.p50).toBeLessThan(hi.theorem4.snrZ.high + 10);
    expect(chunkSettings(spec, 2)).toMatchObject({ theorem4: true, signals: 4 });
  });

  it('shows, while it runs, the σ’s done, without a band until Theorem 4’s chunk is done', () => {
    const full = chunked(gen, spec, [0, 1, 2]) as NoiseResult;
    const second = runChunk(gen, spec, 1, clock);
    const early = partialReport(spec, [undefined, second, undefined]) as NoiseResult;
    expect(early.points.map((p) => p.sigma)).toEqual([1e-1]);
    expect(early.points[0].theorem4.snrZ.low).toBeNaN();
    expect(comparable(early.points[0].methods)).toBe(comparable(full.points[1].methods));
    const late = partialReport(spec, [undefined, second, runChunk(gen, spec, 2, clock)]) as NoiseResult;
    expect(comparable(late.points)).toBe(comparable([full.points[1]]));
  });
});
