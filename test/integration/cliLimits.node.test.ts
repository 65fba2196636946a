import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';
import { fixturePath } from '../helpers/fixtures';

describe('pursuit-lab parse limits (a real process)', () => {
  it('refuses a model whose parse goes over the time limit, in one line, exit 1', () => {
    const path = fixturePath('json-models/tiny-tanh.json');
    // A test-only limit no parse can meet (starting the worker alone takes longer).
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
