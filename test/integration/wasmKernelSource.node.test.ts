import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/fixtures';

describe('the committed WebAssembly kernel', () => {
  it('is exactly what tools/wasm/gemm.ts compiles to (asc from devDependencies)', () => {
    const run = spawnSync(process.execPath, [repoPath('tools/wasm/build.mjs'), '--check'], {
      cwd: repoPath('.'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('matches tools/wasm/gemm.ts');
    expect(run.status).toBe(0);
  });
});
