// What the app's jobs host keeps between runs: the worker pool (poolKeeper.ts) — the engine
// hands a sound pool back instead of closing it, never a cancelled or failed one; a kept pool
// gives the results a fresh one gives; the keeper swaps it for another model or size and ends
// it when idle; an idle kept pool does not keep a process alive; the host keeps one per model —
// and the models it resolved, read again only when changed or gone.
// Real worker threads throughout; faults through the job worker's test variables, which a
// thread reads as it starts (src/workers/jobs.node-worker.ts).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeJobSpec, type JobSpec } from '../../src/core/experiments/jobs';
import type { OpenOptions } from '../../src/core/formats/index';
import type { Generator } from '../../src/core/model/generator';
import { parseRandomSpec, randomGaussianGenerator } from '../../src/core/model/random';
import { createEventHub } from '../../src/main/services/events';
import { createRun, executeRun, weightsSha256, type RunOutcome } from '../../src/main/services/jobs/engine';
import { JobHost } from '../../src/main/services/jobs/host';
import { WorkerPool } from '../../src/main/services/jobs/pool';
import { PoolKeeper } from '../../src/main/services/jobs/poolKeeper';
import { defaultModelParser, type ModelParser } from '../../src/main/services/modelParser';
import { ModelStore } from '../../src/main/services/modelStore';
import { repoPath } from '../helpers/fixtures';

const root = mkdtempSync(join(tmpdir(), 'pl-kept-pool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SOURCE = 'random:10,40,80:tanh';
const randomModel = (source: string) => {
  const spec = parseRandomSpec(source);
  const generator = randomGaussianGenerator(spec.dims, spec.output, spec.seed);
  return { generator, source, sha256: weightsSha256(generator) };
};
const model = randomModel(SOURCE);
const gen: Generator = model.generator;
const job = (seed: number): JobSpec =>
  normalizeJobSpec({ kind: 'invert', model: SOURCE, methods: ['oracle', 'lbp'], count: 12, seed, chunkSize: 4 });
/** A run's report without its timings, the only part allowed to differ. */
const comparable = (outcome: RunOutcome) =>
  JSON.stringify(outcome.result, (k, v: unknown) => (k === 'seconds' ? undefined : v));

/** A pool whose threads start with the given test variables (they read them once, as they start). */
function poolWith(env: Record<string, string>, size = 2): WorkerPool {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return new WorkerPool(size, gen);
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
  }
}

async function run(workspace: string, spec: JobSpec, options: Parameters<typeof executeRun>[3]) {
  const { id } = await createRun(workspace, spec, model);
  return executeRun(workspace, id, gen, options);
}

/** Starts a run on the host and waits until it has ended: the run's detail, or why it did not start. */
async function finishRun(jobs: JobHost, spec: Record<string, unknown>) {
  const started = await jobs.start(spec);
  if (!started.ok) return started;
  for (;;) {
    const r = await jobs.get(started.value.id);
    if (r.ok && !['queued', 'running'].includes(r.value.state)) return r;
    await new Promise((res) => setTimeout(res, 20));
  }
}
/** finishRun, for a run that must start: its detail. */
async function finished(jobs: JobHost, spec: Record<string, unknown>) {
  const r = await finishRun(jobs, spec);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('the engine and a pool it may keep', () => {
  const workspace = join(root, 'engine');

  it('hands a sound pool back after a done run, and the kept pool gives the fresh pool’s results', async () => {
    const pool = new WorkerPool(2, gen);
    const kept: WorkerPool[] = [];
    const first = await run(workspace, job(1), { workers: 2, pool, keep: (p) => kept.push(p) });
    expect(first.state).toBe('done');
    expect(kept).toEqual([pool]);
    expect(pool.isClosed).toBe(false);
    // A second job on the kept threads, against the same job on a fresh pool the engine starts and closes.
    const again = await run(workspace, job(2), { workers: 2, pool, keep: (p) => kept.push(p) });
    const fresh = await run(workspace, job(2), { workers: 2 });
    expect(again.state).toBe('done');
    expect(comparable(again)).toBe(comparable(fresh));
    expect(kept).toEqual([pool, pool]);
    await pool.close();
  });

  it('closes, never keeps, the pool of a run cancelled midway or one whose chunk failed', async () => {
    const slow = poolWith({ PURSUIT_LAB_TEST_CHUNK_DELAY_MS: '300' }, 1);
    const controller = new AbortController();
    const keep = (p: WorkerPool) => expect.unreachable(`kept the pool of a ${p === slow ? 'cancelled' : 'failed'} run`);
    const cancelled = await run(workspace, job(3), {
      workers: 1,
      pool: slow,
      keep,
      signal: controller.signal,
      onProgress: (p) => p.chunksDone >= 1 && controller.abort(),
    });
    expect(cancelled.state).toBe('cancelled');
    expect(slow.isClosed).toBe(true);

    const throwing = poolWith({ PURSUIT_LAB_TEST_THROW_CHUNKS: '1' });
    const failed = await run(workspace, job(4), { workers: 2, pool: throwing, keep });
    expect(failed.state).toBe('failed');
    expect(throwing.isClosed).toBe(true);
  });

  it('with nothing left to compute (a finished run again), hands the given pool back unused', async () => {
    const pool = new WorkerPool(1, gen);
    const kept: WorkerPool[] = [];
    const { id } = await createRun(workspace, job(5), model);
    expect((await executeRun(workspace, id, gen, { workers: 1 })).state).toBe('done');
    expect((await executeRun(workspace, id, gen, { workers: 1, pool, keep: (p) => kept.push(p) })).state).toBe('done');
    expect(kept).toEqual([pool]);
    await pool.close();
  });
});

describe('PoolKeeper', () => {
  it('gives a kept pool back for its model where it fits, and closes one that does not serve', async () => {
    const keeper = new PoolKeeper(60_000);
    const a = new WorkerPool(1, gen);
    keeper.keep('a', a);
    expect(keeper.current).toEqual({ model: 'a', workers: 1 });
    expect(keeper.take('a', () => true)).toBe(a);
    expect(keeper.current).toBeUndefined();
    // Kept again, then asked for by another model: closed, nothing given.
    keeper.keep('a', a);
    expect(keeper.take('b', () => true)).toBeUndefined();
    expect(a.isClosed).toBe(true);
    // The right model but not the right size: closed too.
    const b = new WorkerPool(1, gen);
    keeper.keep('b', b);
    expect(keeper.take('b', (p) => p.workers >= 2)).toBeUndefined();
    expect(b.isClosed).toBe(true);
    // Keeping another pool closes the one kept before; close() ends the kept one.
    const c = new WorkerPool(1, gen);
    const d = new WorkerPool(1, gen);
    keeper.keep('c', c);
    keeper.keep('d', d);
    expect(c.isClosed).toBe(true);
    await keeper.close();
    expect(d.isClosed).toBe(true);
    expect(keeper.current).toBeUndefined();
  });

  it('ends a pool left idle for its idle time, and keeps none with an idle time of 0', async () => {
    const keeper = new PoolKeeper(50);
    const pool = new WorkerPool(1, gen);
    keeper.keep('m', pool);
    for (let waited = 0; !pool.isClosed && waited < 10_000; waited += 25) await new Promise((r) => setTimeout(r, 25));
    expect(pool.isClosed).toBe(true);
    expect(keeper.current).toBeUndefined();
    const none = new PoolKeeper(0);
    const other = new WorkerPool(1, gen);
    none.keep('m', other);
    expect(other.isClosed).toBe(true);
    expect(none.current).toBeUndefined();
  });

  it('lets a process whose only work left is an idle kept pool exit', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', repoPath('test/helpers/keptPoolChild.ts')], {
      cwd: repoPath('.'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stdout.trim(), r.stderr).toBe('kept');
    // Without the threads' unref the child would wait on them until the timeout killed it (status null).
    expect(r.status).toBe(0);
  });
});

describe('the jobs host', () => {
  it('keeps the pool of a finished run for the next run of the same model, and swaps it for another model', async () => {
    const workspace = join(root, 'host');
    const store = new ModelStore({ workspace, bundledDir: repoPath('resources/models') });
    const jobs = new JobHost({ workspace, store, events: createEventHub() });
    const finish = (spec: Record<string, unknown>) => finished(jobs, spec);
    try {
      const spec = { kind: 'invert', model: SOURCE, methods: ['oracle', 'lbp'], count: 12, seed: 6, chunkSize: 4 };
      const first = await finish(spec);
      expect(first.state).toBe('done');
      const sha256 = JSON.parse(readFileSync(join(first.dir, 'spec.json'), 'utf8')).model.sha256;
      expect(sha256).toBe(model.sha256);
      expect(jobs.keptPool()).toMatchObject({ model: sha256 });
      const second = await finish(spec);
      expect(second.state).toBe('done');
      expect(JSON.stringify(second.result, (k, v: unknown) => (k === 'seconds' ? undefined : v))).toBe(
        JSON.stringify(first.result, (k, v: unknown) => (k === 'seconds' ? undefined : v)),
      );
      expect(jobs.keptPool()).toMatchObject({ model: sha256 });
      const other = await finish({ ...spec, model: `${SOURCE}@5` });
      expect(other.state).toBe('done');
      expect(jobs.keptPool()).toMatchObject({ model: randomModel(`${SOURCE}@5`).sha256 });
    } finally {
      await jobs.close();
    }
    expect(jobs.keptPool()).toBeUndefined();
  });
});

describe('the jobs host’s prepared pool', () => {
  it('starts threads for a model before its first run, and the run computes on them', async () => {
    const workspace = join(root, 'prepare');
    const store = new ModelStore({ workspace, bundledDir: repoPath('resources/models') });
    const jobs = new JobHost({ workspace, store, events: createEventHub() });
    const finish = () => finished(jobs, { kind: 'invert', model: SOURCE, methods: ['oracle'], count: 4, seed: 2 });
    try {
      // Threads read the fault variables as they start: only the prepared ones throw on chunk 0.
      process.env.PURSUIT_LAB_TEST_THROW_CHUNKS = '0';
      let prepared;
      try {
        prepared = await jobs.prepare(SOURCE);
      } finally {
        delete process.env.PURSUIT_LAB_TEST_THROW_CHUNKS;
      }
      const { workers } = await jobs.settings();
      expect(prepared).toEqual({ ok: true, value: { workers } });
      expect(jobs.keptPool()).toEqual({ model: model.sha256, workers });
      // Preparing again keeps that pool (no second start).
      expect(await jobs.prepare(SOURCE)).toEqual({ ok: true, value: { workers } });
      const onPrepared = await finish();
      expect(onPrepared.state).toBe('failed');
      expect(onPrepared.error).toMatch(/injected fault in chunk 0/);
      // That pool was not kept (a failed run's); the next run starts fresh threads and is done.
      expect((await finish()).state).toBe('done');
      expect(await jobs.prepare('random:1,2')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      expect(await jobs.prepare('0123456789abcdef')).toMatchObject({ ok: false, error: { code: 'not-found' } });
    } finally {
      await jobs.close();
    }
  });
});

describe('the jobs host’s resolved models', () => {
  it('parses a bundled model once for its runs, and refuses a stored one once it is removed', async () => {
    const workspace = join(root, 'models');
    const bundledDir = join(root, 'bundled');
    mkdirSync(bundledDir, { recursive: true });
    copyFileSync(repoPath('test/fixtures/pytorch/tanh_plain.opset17.onnx'), join(bundledDir, 'tanh_plain.onnx'));
    const parser = defaultModelParser();
    // The real parser, counting the parses that hand a model over as JSON (a run's, and an import's).
    const asJson: string[] = [];
    const counting: ModelParser = Object.assign(
      (bytes: Uint8Array, fileName: string, options?: OpenOptions, want?: { readonly json?: boolean }) => {
        if (want?.json === true) asJson.push(fileName);
        return parser(bytes, fileName, options, want);
      },
      { prewarm: () => parser.prewarm() },
    );
    const store = new ModelStore({ workspace, bundledDir, parser: counting });
    const jobs = new JobHost({ workspace, store, events: createEventHub(), poolIdleMs: 0 });
    const finish = (model: string) =>
      finishRun(jobs, { kind: 'invert', model, methods: ['oracle'], count: 4, seed: 1 });
    try {
      expect(await finish('bundled:tanh_plain.onnx')).toMatchObject({ ok: true, value: { state: 'done' } });
      expect(await finish('bundled:tanh_plain.onnx')).toMatchObject({ ok: true, value: { state: 'done' } });
      expect(asJson).toEqual(['tanh_plain.onnx']);

      const file = repoPath('test/fixtures/pytorch/sigmoid_bn.opset17.onnx');
      const { info } = await store.import('sigmoid_bn.onnx', new Uint8Array(readFileSync(file)));
      expect(await finish(info.id)).toMatchObject({ ok: true, value: { state: 'done' } });
      expect(await store.remove(info.id)).toBe('removed');
      expect(await finish(info.id)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    } finally {
      await jobs.close();
    }
  });
});
