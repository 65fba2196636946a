// A run whose chunk cannot be saved (a full disk, its folder gone) stops as
// failed and says which chunk and why, instead of being left "running"; once
// the folder is back, it resumes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeJobSpec } from '../../src/core/experiments/jobs';
import { randomGaussianGenerator } from '../../src/core/model/random';
import { createRun, executeRun, weightsSha256 } from '../../src/main/services/jobs/engine';

const workspace = mkdtempSync(join(tmpdir(), 'pl-jobs-disk-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('a chunk that cannot be written', () => {
  it('fails the run with the chunk and the reason, and a resume finishes it once the disk is back', async () => {
    const source = 'random:6,30,40:tanh';
    const generator = randomGaussianGenerator([6, 30, 40], { kind: 'tanh' }, 0);
    const job = normalizeJobSpec({ kind: 'invert', model: source, methods: ['oracle'], count: 4, chunkSize: 2 });
    const { id, dir } = await createRun(workspace, job, { generator, source, sha256: weightsSha256(generator) });
    const chunks = join(dir, 'chunks');
    let broken = false;
    const outcome = await executeRun(workspace, id, generator, {
      workers: 1,
      onProgress: () => {
        // Before the first chunk is written: the chunks folder becomes a file, so writing into it fails.
        if (broken) return;
        broken = true;
        rmSync(chunks, { recursive: true, force: true });
        writeFileSync(chunks, '');
      },
    });
    expect(outcome.state).toBe('failed');
    expect(outcome.error?.message).toMatch(/^cannot save chunk \d to .*chunks.*: E[A-Z]+: /);
    expect(outcome.error?.chunk).toMatchObject({ signals: expect.any(Array) as unknown });
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { state: string; error: unknown };
    expect(status.state).toBe('failed');
    expect(status.error).toEqual(outcome.error);

    rmSync(chunks);
    const resumed = await executeRun(workspace, id, generator, { workers: 1 });
    expect(resumed.state).toBe('done');
    expect(resumed.computed).toEqual([0, 1]);
  });
});
