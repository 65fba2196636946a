import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/fixtures';

/** Type-checks one snippet under a runtime's tsconfig; returns tsc's output. */
function typecheck(config: string, code: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-tsc-'));
  writeFileSync(join(dir, 'snippet.ts'), code);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: repoPath(config),
      include: ['snippet.ts'],
      compilerOptions: { typeRoots: [repoPath('node_modules/@types')] },
    }),
  );
  const r = spawnSync(
    process.execPath,
    [repoPath('node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
    { encoding: 'utf8' },
  );
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('one runtime per folder', () => {
  it('the core tsconfig rejects Node and DOM globals', () => {
    const r = typecheck('tsconfig.core.json', 'export const a = process.cwd();\nexport const b = window.location;\n');
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("Cannot find name 'process'");
    expect(r.output).toContain("Cannot find name 'window'");
    expect(typecheck('tsconfig.core.json', 'export const ok = Math.sqrt(2);\n').status).toBe(0);
  });

  it('the node tsconfig rejects window in main', () => {
    const r = typecheck('tsconfig.node.json', 'export const w = window.innerWidth;\n');
    expect(r.output).toContain("Cannot find name 'window'");
  });

  it('lint keeps core from importing outside core, and electron inside the two host files', async () => {
    const eslint = new ESLint({ cwd: repoPath('.') });
    const lint = async (filePath: string, code: string) =>
      (await eslint.lintText(code, { filePath: repoPath(filePath) }))[0].messages
        .filter((m) => m.ruleId === 'pursuit/layering')
        .map((m) => m.message);

    expect(
      await lint('src/core/model/x.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n"),
    ).toEqual(['src/core must not use Node built-in "node:fs": it runs where Node is absent']);
    expect(
      await lint('src/core/model/x.ts', "import { ok } from '../../shared/result';\nexport const r = ok;\n"),
    ).toEqual(['src/core may not import from src/shared (DESIGN.md: arrows point down)']);
    expect((await lint('src/core/model/x.ts', "import { ref } from 'vue';\nexport const r = ref;\n"))[0]).toContain(
      'may not import the package "vue"',
    );
    expect(
      (await lint('src/main/services/x.ts', "import { app } from 'electron';\nexport const a = app;\n"))[0],
    ).toContain('only src/main/index.ts');
    expect(
      (
        await lint(
          'src/renderer/src/x.ts',
          "import { forward } from '../../core/model/forward';\nexport const f = forward;\n",
        )
      )[0],
    ).toContain('except with `import type`');
    expect(
      await lint('src/core/model/x.ts', "import { matrix } from '../linalg/matrix';\nexport const m = matrix;\n"),
    ).toEqual([]);
  });
});
