import { describe, expect, it } from 'vitest';
import { column } from '../../../../src/core/linalg/dense';
import { gemm } from '../../../../src/core/linalg/gemm';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { invertExperiment } from '../../../../src/core/experiments/invert';
import { reconstructSignal } from '../../../../src/core/experiments/reconstruct';
import {
  checkJobModel,
  chunkCount,
  mergeChunks,
  normalizeJobSpec,
  runChunk,
  type JobSpec,
} from '../../../../src/core/experiments/jobs';
import type { SensingResult } from '../../../../src/core/experiments/sensing';
import { relativeError } from '../../../../src/core/metrics';
import { forward } from '../../../../src/core/model/forward';
import { foldMeasurement, measurementMatrix, parseMeasure } from '../../../../src/core/model/measurement';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { createContext, dataMisfit } from '../../../../src/core/pursuit/context';
import { invert } from '../../../../src/core/pursuit/methods';
import { prepare } from '../../../../src/core/pursuit/prepared';
import type { MethodId } from '../../../../src/core/pursuit/types';
import { certifyMeasured } from '../../../../src/core/theory/certificate';

const none = { kind: 'none' } as const;
const clock = () => 0;

/** n₀ = 10, n₁ = 60 (s₁ ≈ 30 active units), n = 200; 4 signals. */
function setting(kind: 'identity' | 'tanh') {
  const gen = randomGaussianGenerator([10, 60, 200], { kind }, 1);
  const count = 4;
  const z = matrix(10, count, createRng(5).fillGaussian(new Float64Array(10 * count)));
  return { gen, z, truth: forward(gen, z), count };
}

const errors = (zHat: Parameters<typeof column>[0], z: Parameters<typeof column>[0]) =>
  Array.from({ length: z.cols }, (_, j) => relativeError(column(zHat, j), column(z, j)));

describe('the measurement matrix', () => {
  it('is drawn from its seed: the same seed gives the same A, another seed another, entries of variance 1/m', () => {
    const a = measurementMatrix({ m: 50, seed: 3 }, 200);
    const again = measurementMatrix({ m: 50, seed: 3 }, 200);
    const other = measurementMatrix({ m: 50, seed: 4 }, 200);
    expect(Array.from(again.data)).toEqual(Array.from(a.data));
    expect(Array.from(other.data)).not.toEqual(Array.from(a.data));
    const variance = a.data.reduce((s, v) => s + v * v, 0) / a.data.length;
    expect(variance).toBeGreaterThan(0.9 / 50);
    expect(variance).toBeLessThan(1.1 / 50);
  });

  it('observes y = A·G(z) exactly without noise, and refuses a mask with it', () => {
    const { truth } = setting('tanh');
    const measure = { kind: 'gaussian', m: 30, seed: 2 } as const;
    const obs = observe(truth.output, none, none, 7, measure);
    const A = measurementMatrix(measure, 200);
    expect(obs.y.rows).toBe(30);
    expect(Array.from(obs.y.data)).toEqual(Array.from(gemm(A, truth.output, matrix(30, 4)).data));
    expect(() => observe(truth.output, none, { kind: 'random', fraction: 0.3 }, 7, measure)).toThrow(
      /a mask \(random\) and a measurement matrix together/,
    );
  });

  it('parses gaussian:M and gaussian:M:SEED (the run seed by default) and refuses the rest', () => {
    expect(parseMeasure('gaussian:80', 12)).toEqual({ kind: 'gaussian', m: 80, seed: 12 });
    expect(parseMeasure('gaussian:80:5', 12)).toEqual({ kind: 'gaussian', m: 80, seed: 5 });
    expect(parseMeasure('pixels', 12)).toEqual({ kind: 'pixels' });
    expect(() => parseMeasure('gaussian:0', 0)).toThrow(/positive integer/);
    expect(() => parseMeasure('bernoulli:5', 0)).toThrow(/unknown measurement/);
  });
});

describe.each(['identity', 'tanh'] as const)('compressed sensing, φ = %s', (kind) => {
  const { gen, z, truth } = setting(kind);
  const observed = (m: number) => observe(truth.output, none, none, 7, { kind: 'gaussian', m, seed: 3 });
  const exactMethods: MethodId[] = kind === 'identity' ? ['lp', 'lbp', 'oracle', 'oracle-e2e'] : ['lp', 'oracle-e2e'];

  it('recovers z with m = 150 measurements, well above s_L ≈ 30 (LP and the oracles to 1e-6, GD to 1e-3)', () => {
    const obs = observed(150);
    for (const method of exactMethods) {
      const r = invert(gen, obs, method, {}, truth.hidden);
      for (const e of errors(r.z, z)) expect(e, method).toBeLessThan(1e-6);
    }
    const gd = invert(gen, obs, 'gd', { gd: { seed: 9 } });
    for (const e of errors(gd.z, z)) expect(e).toBeLessThan(1e-3);
  });

  it('fails with m = 5, well below s_L and below n₀ = 10: no method recovers, the certificate says not unique', () => {
    const obs = observed(5);
    for (const method of ['lp', 'gd'] as const) {
      const r = invert(gen, obs, method, { gd: { seed: 9 } });
      for (const e of errors(r.z, z)) expect(e, method).toBeGreaterThan(1e-3);
      const back = forward(gen, r.z);
      const layers = prepare(kind === 'identity' ? foldMeasurement(gen, obs.A!) : gen);
      for (let j = 0; j < 4; j++)
        expect(certifyMeasured(layers, kind === 'identity', obs.A!, back.hidden, j).certified).toBe(false);
    }
  });

  it('the misfit every method reports is the one through A: ½‖y − A·G(ẑ)‖², zero at the truth', () => {
    const obs = observed(40);
    const ctx = createContext(gen, obs);
    for (const v of dataMisfit(ctx, z)) expect(v).toBeLessThan(1e-24);
    const moved = matrix(
      10,
      4,
      Float64Array.from(z.data, (v) => v + 0.1),
    );
    const out = forward(gen, moved).output;
    const r = gemm(obs.A!, out, matrix(40, 4));
    const expected = new Float64Array(4);
    for (let p = 0; p < r.data.length; p++) expected[p % 4] += 0.5 * (r.data[p] - obs.y.data[p]) ** 2;
    const got = dataMisfit(ctx, moved);
    for (let j = 0; j < 4; j++) expect(got[j]).toBeCloseTo(expected[j], 10);
  });
});

describe('Theorem 1 restated for A', () => {
  it('certifies the truth when A·W_L has full column rank (φ = identity, m = 150 ≥ n_L = 60)', () => {
    const { gen, truth } = setting('identity');
    const obs = observe(truth.output, none, none, 7, { kind: 'gaussian', m: 150, seed: 3 });
    const layers = prepare(foldMeasurement(gen, obs.A!));
    for (let j = 0; j < 4; j++) expect(certifyMeasured(layers, true, obs.A!, truth.hidden, j).certified).toBe(true);
  });

  it('with a nonlinear φ, certifies only through an injective A (m ≥ n), and names why otherwise', () => {
    const { gen, truth } = setting('tanh');
    const layers = prepare(gen);
    const wide = observe(truth.output, none, none, 7, { kind: 'gaussian', m: 150, seed: 3 });
    const c = certifyMeasured(layers, false, wide.A!, truth.hidden, 0);
    expect(c.certified).toBe(false);
    expect(c.failing?.condition).toMatch(/A is 150 × 200 of rank 150 < n = 200.*no computable certificate/);
    const tall = observe(truth.output, none, none, 7, { kind: 'gaussian', m: 260, seed: 3 });
    expect(certifyMeasured(layers, false, tall.A!, truth.hidden, 0).certified).toBe(true);
  });
});

describe('methods that need φ⁻¹ pixel by pixel', () => {
  it('refuse a measurement matrix under a nonlinear φ, naming the method and the reason', () => {
    const { gen, truth } = setting('tanh');
    const obs = observe(truth.output, none, none, 7, { kind: 'gaussian', m: 100, seed: 3 });
    for (const method of ['lbp', 'oracle'] as const)
      expect(() => invert(gen, obs, method, {}, truth.hidden)).toThrow(
        new RegExp(`method ${method} does not support a measurement matrix with φ = tanh: it solves on φ⁻¹\\(y\\)`),
      );
  });
});

describe('the sensing job and the invert report', () => {
  it('invert records the measurement with its seed', () => {
    const { gen } = setting('tanh');
    const steps = invertExperiment(
      gen,
      {
        methods: ['gd'],
        count: 2,
        seed: 1,
        mask: none,
        noise: none,
        measure: { kind: 'gaussian', m: 40, seed: 11 },
        options: { gd: { maxIterations: 50 } },
      },
      clock,
    );
    let next = steps.next();
    while (!next.done) next = steps.next();
    expect(next.value.settings.measure).toEqual({ kind: 'gaussian', m: 40, seed: 11 });
    // Its signals cannot be redrawn as images: said, not drawn wrong.
    expect(() =>
      reconstructSignal(
        gen,
        { ...next.value.settings, chunkSize: 2 } as Parameters<typeof reconstructSignal>[1],
        0,
        {},
      ),
    ).toThrow(/m mixtures, not an image/);
  });

  it('an invert spec records A with its seed (the job seed unless given); a job refuses pixel-wise methods under A', () => {
    const spec = normalizeJobSpec({ kind: 'invert', model: 'random:10,60,200:tanh', seed: 5, measure: 'gaussian:50' });
    expect(spec).toMatchObject({ measure: { kind: 'gaussian', m: 50, seed: 5 } });
    expect(normalizeJobSpec({ ...spec, measure: { kind: 'gaussian', m: 50, seed: 9 } })).toMatchObject({
      measure: { seed: 9 },
    });
    expect(() => normalizeJobSpec({ kind: 'invert', model: 'random:2,4,8', measure: 'gaussian:x' })).toThrow(
      /unknown measurement "gaussian:x"/,
    );
    const lbp = normalizeJobSpec({ ...spec, methods: ['lp', 'lbp'] });
    expect(() => checkJobModel(lbp, setting('tanh').gen)).toThrow(/method lbp does not support a measurement matrix/);
    expect(() => checkJobModel(lbp, setting('identity').gen)).not.toThrow();
  });

  it('sweeps m: success 1 well above s_L, 0 below n₀, the same result whatever the chunk order', () => {
    const { gen } = setting('identity');
    const spec = normalizeJobSpec({
      kind: 'sensing',
      model: 'random:10,60,200:identity@1',
      m: [5, 150],
      count: 4,
      chunkSize: 2,
      methods: ['lp', 'oracle-e2e'],
    }) as Extract<JobSpec, { kind: 'sensing' }>;
    expect(spec.measureSeed).toBe(7);
    const n = chunkCount(spec);
    const run = (order: number[]) => {
      const chunks = new Array(n);
      for (const k of order) chunks[k] = runChunk(gen, spec, k, clock);
      return mergeChunks(gen, spec, chunks) as SensingResult;
    };
    const result = run([0, 1, 2, 3]);
    const [low, high] = result.points;
    expect(low.methods.lp!.successRate).toBe(0);
    expect(low.methods.lp!.certifiedRate).toBe(0);
    expect(high.methods.lp!.successRate).toBe(1);
    expect(high.methods.lp!.certifiedRate).toBe(1);
    expect(high.methods['oracle-e2e']!.successRate).toBe(1);
    const strip = (r: SensingResult) => JSON.stringify(r, (k, v: unknown) => (k === 'seconds' ? 0 : v));
    expect(strip(run([3, 1, 2, 0]))).toBe(strip(result));
    expect(() => normalizeJobSpec({ kind: 'sensing', model: 'random:2,4,8', m: [] })).toThrow(/"m" must be/);
  });
});
