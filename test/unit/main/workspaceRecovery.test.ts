import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/main/services/atomic';
import { ModelStore } from '../../../src/main/services/modelStore';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The pid of a process that has exited (so its temp files are stale). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('workspace recovery at start-up', () => {
  it('removes temp files and staging folders of killed writes and incomplete model folders, keeps the rest', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'pursuit-lab-recover-'));
    dirs.push(workspace);
    const models = join(workspace, 'models');
    const dead = deadPid();
    const live = process.ppid; // alive, and not us: another host sharing the workspace
    const complete = join(models, 'aaaaaaaaaaaaaaaa');
    mkdirSync(complete, { recursive: true });
    writeFileSync(join(complete, 'summary.json'), '{}');
    writeFileSync(join(complete, `model.json.tmp-${dead}-0badf00d`), 'torn');
    writeFileSync(join(complete, `model.json.tmp-${live}-0badf00d`), 'being written');
    const half = join(models, 'bbbbbbbbbbbbbbbb');
    mkdirSync(half);
    writeFileSync(join(half, 'source.json'), '{}'); // killed before summary.json
    mkdirSync(join(models, `cccccccccccccccc.tmp-${dead}-12345678`)); // a staging folder
    writeFileSync(join(workspace, `settings.json.tmp-${dead}-abcdef01`), 'x');
    mkdirSync(join(models, 'not-a-model')); // not ours to judge

    const logged: string[] = [];
    const store = new ModelStore({ workspace, bundledDir: join(workspace, 'none'), log: (t) => logged.push(t) });
    const report = await store.recover();

    expect(readdirSync(models).sort()).toEqual(['aaaaaaaaaaaaaaaa', 'not-a-model']);
    expect(readdirSync(complete).sort()).toEqual([`model.json.tmp-${live}-0badf00d`, 'summary.json']);
    expect(readdirSync(workspace).sort()).toEqual(['models']);
    expect(report.incompleteModels).toEqual(['bbbbbbbbbbbbbbbb']);
    expect(report.temps).toHaveLength(3);
    expect(logged.join('\n')).toContain('models/bbbbbbbbbbbbbbbb (incomplete)');
    // Once per store: a second call returns the same report without walking again.
    expect(await store.recover()).toBe(report);
  });

  it('writes atomically: no temp file is left after a write, and the target holds the new content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pursuit-lab-atomic-'));
    dirs.push(dir);
    await writeFileAtomic(join(dir, 'a', 'x.json'), 'one');
    await writeFileAtomic(join(dir, 'a', 'x.json'), 'two');
    expect(readdirSync(join(dir, 'a'))).toEqual(['x.json']);
    expect(existsSync(join(dir, 'a', 'x.json'))).toBe(true);
  });
});
