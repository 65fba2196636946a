import { readFileSync } from 'node:fs';
import { proxy } from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvertReport } from '../../src/core/experiments/invert';
import { chunkCount, encodeChunk, mergeChunks, normalizeJobSpec, runChunk } from '../../src/core/experiments/jobs';
import { reconstructSignal, type SignalDraw } from '../../src/core/experiments/reconstruct';
import { writeJsonModel } from '../../src/core/formats/json';
import { randomGaussianGenerator } from '../../src/core/model/random';
import type { AnalysisApi } from '../../src/workers/analysis';
import { repoPath } from '../helpers/fixtures';
import { startTsWorker } from '../helpers/nodeWorker';

const { api, worker } = startTsWorker<AnalysisApi>('src/workers/analysis.node-worker.ts');
afterAll(() => worker.terminate());

const defaultModel = () => new Uint8Array(readFileSync(repoPath('resources/models/gaussian-100-300-625-tanh.json')));

describe('analysis worker on a real worker_thread through Comlink', () => {
  it('is the job worker too: it computes a job chunk, byte for byte what core computes', async () => {
    const gen = randomGaussianGenerator([6, 30, 40], { kind: 'tanh' }, 1);
    const spec = normalizeJobSpec({
      kind: 'invert',
      model: 'random:6,30,40:tanh',
      methods: ['oracle'],
      count: 4,
      chunkSize: 2,
    });
    expect(await api.loadJobModel(gen)).toEqual({ ok: true, value: null });
    const r = await api.runChunk(spec, 1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const expected = encodeChunk(runChunk(gen, spec, 1, () => 0));
    const noTimes = (t: string) => t.replace(/"seconds":[0-9.e-]+/g, '"seconds":0');
    expect(noTimes(r.value.text)).toBe(noTimes(expected));
  });

  it('loads HiGHS itself before a chunk that lists lei, and gd-clip runs beside it', async () => {
    const gen = randomGaussianGenerator([6, 30, 60], { kind: 'tanh' }, 1);
    const spec = normalizeJobSpec({
      kind: 'invert',
      model: 'random:6,30,60:tanh',
      methods: ['lei', 'gd-clip'],
      count: 4,
      chunkSize: 2,
    });
    expect(await api.loadJobModel(gen)).toEqual({ ok: true, value: null });
    const r = await api.runChunk(spec, 0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const chunk = JSON.parse(r.value.text) as { methods: Record<string, { signals: { relErrZ: number }[] }> };
    expect(chunk.methods.lei.signals.map((s) => s.relErrZ < 1e-6)).toEqual([true, true]);
    expect(chunk.methods['gd-clip'].signals).toHaveLength(2);
  });

  it("redraws an invert run's signals from their recorded ẑ, as core does, and answers a bad index as data", async () => {
    const gen = randomGaussianGenerator([5, 25, 49], { kind: 'tanh' }, 2);
    const spec = normalizeJobSpec({
      kind: 'invert',
      model: 'random:5,25,49:tanh',
      methods: ['oracle'],
      count: 5,
      mask: 'random:0.2',
      chunkSize: 2,
    });
    const chunks = Array.from({ length: chunkCount(spec) }, (_, k) => runChunk(gen, spec, k, () => 0));
    const report = JSON.parse(JSON.stringify(mergeChunks(gen, spec, chunks))) as InvertReport;
    const bytes = new TextEncoder().encode(writeJsonModel(gen));
    expect((await api.loadModel('recon', bytes, 'recon.json')).ok).toBe(true);
    const draw = report.settings as SignalDraw;
    const signals = [0, 4].map((index) => ({ index, zHats: { oracle: report.methods.oracle!.signals[index].zHat! } }));
    const r = await api.reconstructSignals('recon', draw, signals);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((s) => s.index)).toEqual([0, 4]);
    for (const s of r.value) {
      const core = reconstructSignal(gen, draw, s.index, signals.find((t) => t.index === s.index)!.zHats);
      expect(s.truth).toEqual(core.truth);
      expect(s.observed).toEqual(core.observed);
      expect(s.known).toEqual(core.known);
      expect(s.methods.oracle!.snrImage).toBe(report.methods.oracle!.signals[s.index].snrImage);
    }
    const bad = await api.reconstructSignals('recon', draw, [{ index: 5, zHats: {} }]);
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await api.reconstructSignals('nope', draw, [])).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('loads the default model and samples sparsity with progress', async () => {
    const loaded = await api.loadModel('default', defaultModel(), 'gaussian.json');
    expect(loaded.ok && loaded.value.dims).toEqual([100, 300, 625]);
    const progress: number[] = [];
    const result = await api.sampleSparsity(
      'run-1',
      'default',
      { count: 200, seed: 4, chunkSize: 50 },
      proxy((done: number) => void progress.push(done)),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.samples).toBe(200);
    expect(result.value.stopReason).toBe('completed');
    expect(result.value.layers[0].counts).toHaveLength(200);
    expect(progress.at(-1)).toBe(200);
    expect(result.value.theorem2.allPassFraction).toBe(1);
  });

  it('stops a long run when cancelled and returns the samples done', async () => {
    let cancelled = false;
    const pending = api.sampleSparsity(
      'run-2',
      'default',
      { count: 1_000_000, seed: 0, chunkSize: 64 },
      proxy((done: number) => {
        if (!cancelled && done > 0) {
          cancelled = true;
          void api.cancel('run-2');
        }
      }),
    );
    const result = await pending;
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.stopReason).toBe('cancelled');
    expect(result.value.samples).toBeGreaterThan(0);
    expect(result.value.samples).toBeLessThan(1_000_000);
  });

  it('runs its products on the WebAssembly SIMD kernel', async () => {
    expect(await api.productKernel()).toEqual({ name: 'wasm-simd' });
  });

  it('reports bad input as data, not as a crash', async () => {
    const bad = await api.loadModel('bad', new TextEncoder().encode('{"format": 1}'), 'bad.json');
    expect(bad).toMatchObject({ ok: false, error: { code: 'model-format' } });
    const missing = await api.sampleSparsity('run-3', 'nope', { count: 1, seed: 0 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const impossible = await api.sampleSparsity('run-4', 'default', { count: -5, seed: 0 });
    expect(impossible).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringContaining('sample count') },
    });
  });
});
