// Jobs in the host, through the real browser-mode bridge: a run started by a
// call, its progress over server-sent events, the same result.json as the CLI
// for the same spec, a second client finding the run, cancel and resume, and
// a bad spec answered as data. Real worker threads; the slow run uses the job
// worker's test-only delay (src/workers/jobs.node-worker.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, TOKEN_HEADER, type Bridge } from '../../src/main/bridge/server';
import { createEventHub } from '../../src/main/services/events';
import { createHostApi } from '../../src/main/services/hostApi';
import { JobHost } from '../../src/main/services/jobs/host';
import { ModelStore } from '../../src/main/services/modelStore';
import { findChromium, NO_CHROMIUM } from '../../src/main/services/reports';
import type { ReportFiles, RunDetail, RunInfo, RunProgressEvent } from '../../src/shared/contract';
import type { Result } from '../../src/shared/result';
import { fromWire, toWire } from '../../src/shared/wire';
import { runCliProcess } from '../helpers/cli';
import { repoPath } from '../helpers/fixtures';

const root = mkdtempSync(join(tmpdir(), 'pl-bridge-jobs-'));
const workspace = join(root, 'ws');
const staticDir = join(root, 'static');
const spec = {
  kind: 'invert',
  model: 'random:10,40,80:tanh',
  methods: ['oracle', 'lbp'],
  count: 24,
  seed: 7,
  chunkSize: 4,
};
let bridge: Bridge;
let jobs: JobHost;

beforeAll(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pursuit Lab</title>');
  const store = new ModelStore({ workspace, bundledDir: repoPath('resources/models') });
  const events = createEventHub();
  // No pool kept between runs: the slow run below sets the workers' delay variable, which only fresh threads read.
  jobs = new JobHost({ workspace, store, events, poolIdleMs: 0 });
  const api = createHostApi({
    store,
    events,
    jobs,
    info: { host: 'browser', version: 'test', workspace, nativeDialogs: false },
  });
  bridge = await startBridge({ api, events, staticDir });
});
afterAll(async () => {
  await jobs.close();
  await bridge.close();
  rmSync(root, { recursive: true, force: true });
});

async function call<T>(method: string, payload?: unknown): Promise<Result<T>> {
  const res = await fetch(`http://127.0.0.1:${bridge.port}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: bridge.token },
    body: payload === undefined ? '' : toWire(payload),
  });
  return fromWire(await res.text()) as Result<T>;
}

async function value<T>(method: string, payload?: unknown): Promise<T> {
  const r = await call<T>(method, payload);
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** An SSE connection collecting run-progress events, as a window's EventSource would. */
async function listen() {
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${bridge.port}/api/events?token=${bridge.token}`, {
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  await reader.read(); // ": connected"
  const events: RunProgressEvent[] = [];
  let text = '';
  const waiters: (() => void)[] = [];
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      text += new TextDecoder().decode(chunk.value);
      let end;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const frame = text.slice(0, end);
        text = text.slice(end + 2);
        const m = /^event: run-progress\ndata: (.*)$/s.exec(frame);
        if (m) events.push(fromWire(m[1]) as RunProgressEvent);
      }
      waiters.splice(0).forEach((w) => w());
    }
  })();
  /** Resolves once an event for run `id` matches. */
  const until = async (test: (e: RunProgressEvent) => boolean) => {
    while (!events.some(test)) await new Promise<void>((r) => waiters.push(r));
  };
  return { events, until, close: () => controller.abort() };
}

/** result.json without its timings ("seconds"), the only part allowed to differ between runs. */
const comparable = (value: unknown) => JSON.stringify(value, (k, v: unknown) => (k === 'seconds' ? undefined : v));

describe('jobs through the bridge', () => {
  let firstId: string;

  it('saves the worker count in the workspace', async () => {
    expect(await value('setJobWorkers', { count: 2 })).toEqual({ workers: 2, isDefault: false });
    expect(JSON.parse(readFileSync(join(workspace, 'settings.json'), 'utf8'))).toEqual({ jobWorkers: 2 });
    expect(await value('getJobSettings')).toEqual({ workers: 2, isDefault: false });
  });

  it('runs a spec, streams throttled progress, and keeps the result the CLI makes', async () => {
    const sse = await listen();
    const run = await value<RunInfo>('startRun', { spec });
    firstId = run.id;
    expect(run).toMatchObject({ kind: 'invert', model: spec.model, chunksTotal: 6 });
    expect(['queued', 'running']).toContain(run.state);
    await sse.until((e) => e.id === run.id && e.state === 'done');
    sse.close();

    const mine = sse.events.filter((e) => e.id === run.id);
    // At most: queued, running, one per chunk, and the final one; the throttle may merge chunks.
    expect(mine.length).toBeLessThanOrEqual(6 + 3);
    expect(mine[0].state).toBe('queued');
    expect(mine.at(-1)).toMatchObject({ state: 'done', chunksDone: 6, chunksTotal: 6, signalsDone: 24 });
    const counts = mine.map((e) => e.chunksDone);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));

    const detail = await value<RunDetail>('getRun', { id: run.id });
    expect(detail.state).toBe('done');
    const specPath = join(root, 'spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const cli = runCliProcess(['experiment', specPath, '--workers', '1', '--workspace', join(root, 'cli')]);
    expect(cli.status, cli.stderr).toBe(0);
    const [cliId] = readdirSync(join(root, 'cli', 'runs'));
    const cliResult = JSON.parse(readFileSync(join(root, 'cli', 'runs', cliId, 'result.json'), 'utf8')) as unknown;
    expect(comparable(detail.result)).toBe(comparable(cliResult));
  });

  it('a second client (as after a reload) finds the run in listRuns', async () => {
    const runs = await value<RunInfo[]>('listRuns');
    expect(runs.find((r) => r.id === firstId)).toMatchObject({ state: 'done', chunksDone: 6, chunksTotal: 6 });
  });

  it('exports a finished run’s report into its folder: figures, CSV, HTML and a PDF from the system Chromium', async () => {
    const { files, notes } = await value<ReportFiles>('exportRunReport', {
      id: firstId,
      formats: ['svg', 'csv', 'html', 'pdf'],
    });
    const dir = join(workspace, 'runs', firstId);
    const names = files.map((f) => f.slice(dir.length + 1)).sort();
    expect(names).toEqual(
      [
        'figures/invert-convergence.svg',
        'figures/invert-snr.svg',
        'figures/invert-success.svg',
        'figures/invert.csv',
        'report.html',
      ].concat(findChromium() !== undefined ? ['report.pdf'] : []),
    );
    expect(notes).toEqual(findChromium() !== undefined ? [] : [NO_CHROMIUM]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('invert-snr');
    if (findChromium() !== undefined)
      expect(readFileSync(join(dir, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    // Only what was asked for.
    expect(existsSync(join(dir, 'figures', 'invert-snr.png'))).toBe(false);
    // Browser mode downloads the report's files through the bridge, and only those.
    const html = await value<{ name: string; bytes: Uint8Array }>('readRunFile', { id: firstId, name: 'report.html' });
    expect(new TextDecoder().decode(html.bytes)).toBe(readFileSync(join(dir, 'report.html'), 'utf8'));
    const svg = await value<{ bytes: Uint8Array }>('readRunFile', { id: firstId, name: 'figures/invert-snr.svg' });
    expect(Buffer.from(svg.bytes)).toEqual(readFileSync(join(dir, 'figures', 'invert-snr.svg')));
    for (const name of ['spec.json', '../x/report.html', 'figures/../spec.json', 'figures/a/b.svg'])
      expect(await call('readRunFile', { id: firstId, name }), name).toMatchObject({
        ok: false,
        error: { code: 'bad-request' },
      });
    expect(await call('readRunFile', { id: firstId, name: 'figures/invert-snr.png' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    // No file manager behind the bridge.
    expect(await call('revealRun', { id: firstId })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('cancels a slow run with its finished chunks kept, and resumes it to the same result', async () => {
    // Each chunk sleeps first: the workers read this when they start, with the run.
    process.env.PURSUIT_LAB_TEST_CHUNK_DELAY_MS = '400';
    const sse = await listen();
    let id: string;
    try {
      ({ id } = await value<RunInfo>('startRun', { spec }));
      await sse.until((e) => e.id === id && e.state === 'running' && e.chunksDone >= 2);
    } finally {
      delete process.env.PURSUIT_LAB_TEST_CHUNK_DELAY_MS;
    }
    // A reload in the middle: the running job is there, with its progress.
    const during = (await value<RunInfo[]>('listRuns')).find((r) => r.id === id);
    expect(during).toMatchObject({ state: 'running', chunksTotal: 6 });
    expect(during!.chunksDone).toBeGreaterThanOrEqual(2);
    expect(await call('deleteRun', { id })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const cancelled = await value<RunInfo>('cancelRun', { id });
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.chunksDone).toBeGreaterThanOrEqual(2);
    expect(cancelled.chunksDone).toBeLessThan(6);
    const kept = readdirSync(join(workspace, 'runs', id, 'chunks')).filter((f) => /^\d+\.json$/.test(f));
    expect(kept).toHaveLength(cancelled.chunksDone);
    await sse.until((e) => e.id === id && e.state === 'cancelled');
    expect(await call('cancelRun', { id })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const resumed = await value<RunInfo>('resumeRun', { id });
    expect(['queued', 'running']).toContain(resumed.state);
    await sse.until((e) => e.id === id && e.state === 'done');
    sse.close();
    const detail = await value<RunDetail>('getRun', { id });
    const first = await value<RunDetail>('getRun', { id: firstId });
    expect(comparable(detail.result)).toBe(comparable(first.result));
    expect(await call('resumeRun', { id })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // Deleting removes the folder; the run is gone from the list.
    expect(await value('deleteRun', { id })).toEqual({ id });
    expect(existsSync(join(workspace, 'runs', id))).toBe(false);
    expect((await value<RunInfo[]>('listRuns')).some((r) => r.id === id)).toBe(false);
    expect(await call('deleteRun', { id })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('shows a running sweep’s finished grid points, each as the finished run has it', async () => {
    process.env.PURSUIT_LAB_TEST_CHUNK_DELAY_MS = '300';
    const sse = await listen();
    let id: string;
    try {
      ({ id } = await value<RunInfo>('startRun', {
        spec: { kind: 'sweep', n0: [4], n1: [8, 12, 16, 20], n: 30, count: 3, methods: ['oracle'] },
      }));
      await sse.until((e) => e.id === id && e.chunksDone >= 2);
    } finally {
      delete process.env.PURSUIT_LAB_TEST_CHUNK_DELAY_MS;
    }
    const early = await value<{ id: string; result: { points: { n1: number }[] } }>('getRunPartial', { id });
    expect(early.result.points.length).toBeGreaterThanOrEqual(2);
    await sse.until((e) => e.id === id && e.state === 'done');
    sse.close();
    const done = (await value<RunDetail>('getRun', { id })).result as { points: { n1: number }[] };
    for (const p of early.result.points) expect(done.points.find((q) => q.n1 === p.n1)).toEqual(p);
    // Other kinds have no partial view.
    expect(await value('getRunPartial', { id: firstId })).toEqual({ id: firstId, result: null });
  });

  it('answers bad requests with a code and one line', async () => {
    const cases: [string, unknown, string][] = [
      ['startRun', { spec: { ...spec, count: -1 } }, 'bad-request'],
      ['startRun', { spec: { ...spec, colour: 'red' } }, 'bad-request'],
      ['startRun', { spec: { ...spec, model: '0123456789abcdef' } }, 'not-found'],
      ['startRun', { spec: { ...spec, model: 'random:100000,100000,100000' } }, 'limit'],
      ['startRun', { spec: 'invert' }, 'bad-request'],
      ['getRun', { id: '../../etc' }, 'bad-request'],
      ['getRun', { id: 'no-such-run' }, 'not-found'],
      ['setJobWorkers', { count: 0 }, 'bad-request'],
      ['exportRunReport', { id: 'no-such-run' }, 'not-found'],
      ['getRunPartial', { id: 'no-such-run' }, 'not-found'],
      ['exportRunReport', { id: firstId, formats: ['docx'] }, 'bad-request'],
      ['exportRunReport', { id: firstId, formats: [] }, 'bad-request'],
    ];
    for (const [method, payload, code] of cases) {
      const r = await call(method, payload);
      expect(r, method).toMatchObject({ ok: false, error: { code } });
      if (!r.ok) expect(r.error.message).not.toContain('\n');
    }
  });
});
