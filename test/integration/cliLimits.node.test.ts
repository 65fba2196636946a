import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';
import { fixturePath } from '../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'pursuit-cli-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A valid JSON generator 800 → 800 → 1 (640,000 weights, about 6 MB of text):
 * reading and checking it takes well over 20 ms on any machine, even with the
 * parse worker already started (the CLI starts it early), so a 20 ms limit is
 * always exceeded.
 */
function largeJsonModel(): string {
  const row = `[${Array.from({ length: 800 }, (_, c) => ((c % 7) - 3) / 8).join(',')}]`;
  const W0 = `[${new Array(800).fill(row).join(',')}]`;
  const path = join(dir, 'large.json');
  writeFileSync(
    path,
    `{"format":"pursuit-lab/generator","version":1,"inputDim":800,"output":"tanh","layers":[` +
      `{"W":${W0},"b":[${new Array(800).fill(0).join(',')}]},{"W":[${row}],"b":[0]}]}`,
  );
  return path;
}

describe('pursuit-lab parse limits (a real process)', () => {
  it('refuses a model whose parse goes over the time limit, in one line, exit 1', () => {
    const path = largeJsonModel();
    const r = runCliProcess(['inspect', path], { env: { PURSUIT_LAB_PARSE_TIME_LIMIT: '0.02' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `pursuit-lab inspect: ${path}: model parsing took longer than 20 ms (the parse time limit); the file was refused\n`,
    );
    expect(r.stdout).toBe('');
  });

  it('refuses a bad limit in the environment as a usage error', () => {
    const r = runCliProcess(['inspect', fixturePath('json-models/tiny-tanh.json')], {
      env: { PURSUIT_LAB_PARSE_MEMORY_LIMIT: '-1' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PURSUIT_LAB_PARSE_MEMORY_LIMIT must be a positive number');
  });
});
