// The job engine end to end, through the real CLI process and real worker
// threads: results independent of the worker count, a SIGKILL then --resume,
// a chunk that throws and a worker that dies, Ctrl-C, and `runs`. Faults are
// injected with the job worker's test-only variables (src/workers/jobs.node-worker.ts).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCliProcess } from '../helpers/cli';
import { fixturePath, repoPath } from '../helpers/fixtures';

const root = mkdtempSync(join(tmpdir(), 'pl-jobs-'));
const specPath = join(root, 'invert.json');
// 6 chunks of 4 signals on a small tanh model, with two cheap methods.
writeFileSync(
  specPath,
  JSON.stringify({
    kind: 'invert',
    model: 'random:10,40,80:tanh',
    methods: ['oracle', 'lbp'],
    count: 24,
    seed: 7,
    mask: 'random:0.1',
    noise: 0.001,
    chunkSize: 4,
  }),
);

/** result.json without its timings ("seconds"), the only part allowed to differ between runs. */
const comparable = (dir: string) =>
  JSON.stringify(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')), (k, v: unknown) =>
    k === 'seconds' ? undefined : v,
  );

const runDirOf = (stdout: string) => /^run \S+ done: (.+)$/m.exec(stdout)?.[1];
const onlyRun = (workspace: string) => {
  const ids = readdirSync(join(workspace, 'runs'));
  expect(ids).toHaveLength(1);
  return { id: ids[0], dir: join(workspace, 'runs', ids[0]) };
};
const status = (dir: string) => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
const chunkFiles = (dir: string) => (existsSync(join(dir, 'chunks')) ? readdirSync(join(dir, 'chunks')).sort() : []);
const listRuns = (workspace: string) => {
  const r = runCliProcess(['runs', '--workspace', workspace, '--json']);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { id: string; state: string; chunksDone: number; chunksTotal: number }[];
};

/**
 * Starts `experiment` as a child process with a slowed worker, waits until at
 * least one chunk file exists, and sends `signal`. Returns once it has exited.
 */
async function interrupt(workspace: string, signal: NodeJS.Signals) {
  const child = spawn(
    process.execPath,
    [repoPath('bin/pursuit-lab.mjs'), 'experiment', specPath, '--workers', '1', '--workspace', workspace],
    { env: cliEnv({ PURSUIT_LAB_TEST_CHUNK_DELAY_MS: '400' }), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (;;) {
    const runs = existsSync(join(workspace, 'runs')) ? readdirSync(join(workspace, 'runs')) : [];
    if (runs.length === 1 && chunkFiles(join(workspace, 'runs', runs[0])).some((f) => /^\d+\.json$/.test(f))) break;
    if (child.exitCode !== null) throw new Error(`the run ended before it could be interrupted:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  return { code: await exited, stderr };
}

let reference: string;

beforeAll(() => {
  const workspace = join(root, 'ref');
  const r = runCliProcess(['experiment', specPath, '--workers', '1', '--workspace', workspace]);
  expect(r.status, r.stderr).toBe(0);
  reference = comparable(runDirOf(r.stdout)!);
}, 120_000);

describe('pursuit-lab experiment', () => {
  it('gives a byte-identical result.json with 1 and 2 workers, and a complete spec.json', () => {
    const workspace = join(root, 'two');
    const r = runCliProcess(['experiment', specPath, '--workers', '2', '--workspace', workspace]);
    expect(r.status, r.stderr).toBe(0);
    const { dir } = onlyRun(workspace);
    expect(runDirOf(r.stdout)).toBe(dir);
    expect(comparable(dir)).toBe(reference);
    expect(chunkFiles(dir)).toEqual(['0.json', '1.json', '2.json', '3.json', '4.json', '5.json']);
    expect(status(dir)).toMatchObject({ state: 'done', chunksDone: 6, chunksTotal: 6, workers: 2 });
    const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    expect(spec.job).toMatchObject({ kind: 'invert', seed: 7, count: 24, chunkSize: 4, mask: { fraction: 0.1 } });
    expect(spec.model).toMatchObject({ source: 'random:10,40,80:tanh', dims: [10, 40, 80], output: 'tanh' });
    expect(spec.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(spec.app.version).toEqual(expect.any(String));
    expect(spec.kernel).toEqual(expect.any(String));
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.methods.oracle.signals).toHaveLength(24);
  }, 120_000);

  it('resumes a run killed with SIGKILL, computing only the missing chunks, to the same result', async () => {
    const workspace = join(root, 'killed');
    const { code } = await interrupt(workspace, 'SIGKILL');
    expect(code).toBeNull(); // killed, not exited
    const { id, dir } = onlyRun(workspace);
    const kept = chunkFiles(dir).filter((f) => /^\d+\.json$/.test(f));
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(6);
    expect(status(dir).state).toBe('running'); // what the dead process last wrote…
    expect(listRuns(workspace)).toEqual([expect.objectContaining({ id, state: 'interrupted' })]); // …and the truth
    const before = new Map(kept.map((f) => [f, statSync(join(dir, 'chunks', f)).mtimeMs]));

    const r = runCliProcess(['experiment', '--resume', id, '--workers', '2', '--workspace', workspace]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resumed: ${kept.length} chunk(s) kept, ${6 - kept.length} computed`);
    for (const [f, mtime] of before) expect(statSync(join(dir, 'chunks', f)).mtimeMs).toBe(mtime);
    expect(comparable(dir)).toBe(reference);
    expect(listRuns(workspace)).toEqual([expect.objectContaining({ id, state: 'done', chunksDone: 6 })]);
  }, 120_000);

  it('retries a chunk that throws once, then fails the run naming the chunk; a resume finishes it', () => {
    const workspace = join(root, 'throws');
    const r = runCliProcess(['experiment', specPath, '--workers', '2', '--workspace', workspace], {
      env: { PURSUIT_LAB_TEST_THROW_CHUNKS: '2' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('chunk 2 failed twice: injected fault in chunk 2');
    expect(r.stderr).toContain('"signals":[8,12]');
    const { id, dir } = onlyRun(workspace);
    const s = status(dir);
    expect(s.state).toBe('failed');
    expect(s.error.chunk).toMatchObject({ chunk: 2, signals: [8, 12], methods: ['oracle', 'lbp'] });
    expect(chunkFiles(dir)).not.toContain('2.json');
    expect(existsSync(join(dir, 'result.json'))).toBe(false);
    expect(listRuns(workspace)).toEqual([expect.objectContaining({ id, state: 'failed' })]);

    const again = runCliProcess(['experiment', '--resume', id, '--workspace', workspace]);
    expect(again.status, again.stderr).toBe(0);
    expect(comparable(dir)).toBe(reference);
  }, 120_000);

  it('replaces a worker thread that dies, retrying its chunk once, then fails the run', () => {
    const workspace = join(root, 'dies');
    const r = runCliProcess(['experiment', specPath, '--workers', '1', '--workspace', workspace], {
      env: { PURSUIT_LAB_TEST_EXIT_CHUNKS: '1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/chunk 1 failed twice: the worker thread exited \(code 70\)/);
    const { dir } = onlyRun(workspace);
    // The fresh worker that replaced the dead one went on with the rest until the retry failed.
    expect(chunkFiles(dir)).toContain('0.json');
    expect(status(dir)).toMatchObject({ state: 'failed', error: { chunk: { chunk: 1 } } });
  }, 120_000);

  it('cancels on Ctrl-C (SIGINT), keeping the finished chunks', async () => {
    const workspace = join(root, 'cancelled');
    const { code, stderr } = await interrupt(workspace, 'SIGINT');
    expect(code).toBe(130);
    const { id, dir } = onlyRun(workspace);
    expect(stderr).toContain(`resume with: pursuit-lab experiment --resume ${id}`);
    expect(status(dir).state).toBe('cancelled');
    expect(chunkFiles(dir).length).toBeGreaterThanOrEqual(1);
    expect(listRuns(workspace)).toEqual([expect.objectContaining({ id, state: 'cancelled' })]);
  }, 120_000);

  it("runs a check job on a model file (a path relative to the spec) to exactly pursuit-lab check's report", () => {
    const folder = join(root, 'check');
    const model = readFileSync(fixturePath('json-models/tiny-tanh.json'));
    mkdirSync(folder);
    writeFileSync(join(folder, 'tiny.json'), model);
    const spec = join(folder, 'check.json');
    writeFileSync(
      spec,
      JSON.stringify({ kind: 'check', model: 'tiny.json', samples: 40, seed: 3, noise: 0.01, chunkSize: 7 }),
    );
    const workspace = join(root, 'check-ws');
    const r = runCliProcess([
      'experiment',
      spec,
      '--workers',
      '2',
      '--workspace',
      workspace,
      '--json',
      join(folder, 'out.json'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verdict: /);
    const { id, dir } = onlyRun(workspace);
    expect(chunkFiles(dir)).toHaveLength(6);
    const runSpec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    expect(runSpec.model).toMatchObject({
      source: 'tiny.json',
      path: join(folder, 'tiny.json'),
      sha256: createHash('sha256').update(model).digest('hex'),
    });
    const out = JSON.parse(readFileSync(join(folder, 'out.json'), 'utf8'));
    expect(out.run).toEqual({ id, dir });

    const onePass = join(folder, 'one-pass.json');
    const c = runCliProcess([
      'check',
      join(folder, 'tiny.json'),
      '--samples',
      '40',
      '--seed',
      '3',
      '--noise',
      '0.01',
      '--json',
      onePass,
    ]);
    expect(c.status, c.stderr).toBe(0);
    const strip = ({ model: _m, run: _r, ...report }: Record<string, unknown>) => report;
    expect(strip(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')))).toEqual(
      strip(JSON.parse(readFileSync(onePass, 'utf8'))),
    );
  }, 120_000);

  it('refuses a bad spec with the field named, before creating a run', () => {
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kind: 'invert', model: 'random:10,40,80', count: -1 }));
    const workspace = join(root, 'bad');
    const r = runCliProcess(['experiment', bad, '--workspace', workspace]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"count" must be an integer ≥ 1');
    expect(existsSync(join(workspace, 'runs'))).toBe(false);
  }, 60_000);
});
