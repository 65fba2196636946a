// Runs spread over machines and runs killed again and again, through the real
// CLI process: `--shard K/N` into separate workspaces then `--merge`, and
// SIGKILL at five seeded moments of one run, each followed by --resume. Both
// must end with the result.json of one uninterrupted run on one machine.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCliProcess } from '../helpers/cli';
import { repoPath } from '../helpers/fixtures';

const root = mkdtempSync(join(tmpdir(), 'pl-jobs-shard-'));
const specPath = join(root, 'invert.json');
// 6 chunks of 4 signals on a small tanh model, with two cheap methods.
writeFileSync(
  specPath,
  JSON.stringify({
    kind: 'invert',
    model: 'random:10,40,80:tanh',
    methods: ['oracle', 'lbp'],
    count: 24,
    chunkSize: 4,
  }),
);
const CHUNKS = 6;

/** result.json without its timings ("seconds"), the only part allowed to differ between runs. */
const comparable = (dir: string) =>
  JSON.stringify(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')), (k, v: unknown) =>
    k === 'seconds' ? undefined : v,
  );
const runDirOf = (stdout: string) => /^run \S+ done: (.+)$/m.exec(stdout)?.[1];
const runIds = (workspace: string) => (existsSync(join(workspace, 'runs')) ? readdirSync(join(workspace, 'runs')) : []);
const chunkFiles = (dir: string) =>
  existsSync(join(dir, 'chunks'))
    ? readdirSync(join(dir, 'chunks'))
        .filter((f) => /^\d+\.json$/.test(f))
        .sort()
    : [];

let reference: string;

beforeAll(() => {
  const r = runCliProcess(['experiment', specPath, '--workers', '1', '--workspace', join(root, 'ref')]);
  expect(r.status, r.stderr).toBe(0);
  reference = comparable(runDirOf(r.stdout)!);
}, 120_000);

describe('pursuit-lab experiment --shard / --merge', () => {
  it('computes shards 1/3, 2/3, 3/3 in three workspaces; --merge gives the one-machine result.json', () => {
    const dirs: string[] = [];
    for (const k of [1, 2, 3]) {
      const workspace = join(root, `shard${k}`);
      const r = runCliProcess([
        'experiment',
        specPath,
        '--shard',
        `${k}/3`,
        '--workers',
        '1',
        '--workspace',
        workspace,
        '--json',
        join(root, `shard${k}.json`),
      ]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`shard ${k}/3 done (2 chunk(s))`);
      // --json says a shard's share is not the result.
      expect(JSON.parse(readFileSync(join(root, `shard${k}.json`), 'utf8'))).toMatchObject({
        state: 'partial',
        missingChunks: [0, 1, 2, 3, 4, 5].filter((c) => c % 3 !== k - 1),
      });
      const ids = runIds(workspace);
      // Every shard derives the same id from the job and the model's SHA-256, with nothing shared.
      expect(ids).toHaveLength(1);
      expect(ids[0]).toMatch(/^invert-[0-9a-f]{12}$/);
      const dir = join(workspace, 'runs', ids[0]);
      expect(chunkFiles(dir)).toEqual([`${k - 1}.json`, `${k + 2}.json`]); // k mod 3 = K − 1
      expect(existsSync(join(dir, 'result.json'))).toBe(false);
      expect(JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'))).toMatchObject({
        state: 'partial',
        shard: `${k}/3`,
      });
      dirs.push(dir);
    }
    expect(new Set(dirs.map((d) => d.split('/').pop())).size).toBe(1);

    // A folder of another job (another seed) is refused by name, before anything is merged.
    const other = join(root, 'other', 'runs', 'x');
    cpSync(dirs[0], other, { recursive: true });
    const spec = JSON.parse(readFileSync(join(other, 'spec.json'), 'utf8'));
    spec.job.seed = 1;
    writeFileSync(join(other, 'spec.json'), JSON.stringify(spec));
    const refused = runCliProcess(['experiment', '--merge', dirs[1], other, '--workspace', join(root, 'refused')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('the job differs in "seed"');
    // Two shards are not the whole job: the missing chunks are named.
    const short = runCliProcess(['experiment', '--merge', dirs[0], dirs[1], '--workspace', join(root, 'short')]);
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('lack chunks 2, 5 of 6');

    const workspace = join(root, 'merged');
    const r = runCliProcess(['experiment', '--merge', ...dirs, '--workspace', workspace]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`merged: ${CHUNKS} chunk file(s) copied`);
    const dir = runDirOf(r.stdout)!;
    expect(dir).toBe(join(workspace, 'runs', runIds(workspace)[0]));
    expect(chunkFiles(dir)).toHaveLength(CHUNKS);
    expect(comparable(dir)).toBe(reference);
    expect(JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'))).toMatchObject({ state: 'done' });
  }, 180_000);
});

/** mulberry32: the kill moments come from a fixed seed, so a failure replays. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('pursuit-lab experiment under kill -9', () => {
  it('survives SIGKILL at five seeded moments, resuming each time, to the uninterrupted result.json', async () => {
    const workspace = join(root, 'killed5');
    const random = prng(20261202);
    // Each chunk sleeps 500 ms first (one worker), so after the k-th chunk file
    // appears the k+1-th cannot land within the ≤ 200 ms of jitter: every kill
    // hits a live run, at a moment that varies from kill to kill.
    const DELAY_MS = 500;
    let id: string | undefined;
    let previous: Map<string, number> = new Map();
    for (let kill = 1; kill <= 5; kill++) {
      const args =
        id === undefined
          ? ['experiment', specPath, '--workers', '1', '--workspace', workspace]
          : ['experiment', '--resume', id, '--workers', '1', '--workspace', workspace];
      const child = spawn(process.execPath, [repoPath('bin/pursuit-lab.mjs'), ...args], {
        env: cliEnv({ PURSUIT_LAB_TEST_CHUNK_DELAY_MS: String(DELAY_MS) }),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Kill number k once k chunk files exist, plus 0–200 ms: before, during or after the next chunk's start.
      for (;;) {
        const ids = runIds(workspace);
        if (ids.length === 1 && chunkFiles(join(workspace, 'runs', ids[0])).length >= kill) break;
        if (child.exitCode !== null)
          throw new Error(`kill ${kill}: the run ended before it could be killed:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, Math.floor(random() * 200)));
      expect(child.exitCode, `kill ${kill}: the run ended first:\n${stderr}`).toBeNull();
      child.kill('SIGKILL');
      expect(await exited).toBeNull();

      id = runIds(workspace)[0];
      const dir = join(workspace, 'runs', id);
      const files = chunkFiles(dir);
      expect(files.length).toBeGreaterThanOrEqual(kill);
      expect(files.length).toBeLessThan(CHUNKS);
      // Nothing torn and nothing lost: every file parses, and each chunk kept is the very file written before.
      for (const f of ['spec.json', 'status.json', ...files.map((c) => `chunks/${c}`)])
        expect(() => JSON.parse(readFileSync(join(dir, f), 'utf8')), f).not.toThrow();
      for (const [f, mtime] of previous) expect(statSync(join(dir, 'chunks', f)).mtimeMs, f).toBe(mtime);
      previous = new Map(files.map((f) => [f, statSync(join(dir, 'chunks', f)).mtimeMs]));
    }

    const r = runCliProcess(['experiment', '--resume', id!, '--workers', '1', '--workspace', workspace]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resumed: ${previous.size} chunk(s) kept, ${CHUNKS - previous.size} computed`);
    const dir = join(workspace, 'runs', id!);
    for (const [f, mtime] of previous) expect(statSync(join(dir, 'chunks', f)).mtimeMs, f).toBe(mtime);
    expect(comparable(dir)).toBe(reference);
  }, 180_000);
});
