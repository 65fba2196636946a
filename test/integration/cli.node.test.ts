import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';
import { fixturePath } from '../helpers/fixtures';

const DEFAULT_MODEL = 'resources/models/gaussian-100-300-625-tanh.json';

describe('pursuit-lab inspect', () => {
  it('prints the architecture table', () => {
    const r = runCliProcess(['inspect', DEFAULT_MODEL]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dims: 100 → 300 → 625');
    expect(r.stdout).toMatch(/0\s+z → x1\s+300 × 100\s+relu\s+30,300/);
    expect(r.stdout).toMatch(/1\s+x1 → G\(z\)\s+625 × 300\s+tanh\s+188,125/);
    expect(r.stdout).toContain('total parameters: 218,425');
  });

  it('--json prints dims, output and parameters', () => {
    const r = runCliProcess(['inspect', DEFAULT_MODEL, '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ dims: [100, 300, 625], output: 'tanh', parameters: 218425, format: 'json' });
    expect(doc.layers).toHaveLength(2);
  });

  it('--out writes the JSON to a file', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pl-cli-')), 'summary.json');
    const r = runCliProcess(['inspect', fixturePath('json-models/tiny-plu.json'), '--out', out]);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      dims: [1, 2, 1],
      output: 'plu',
      outputActivation: { alpha: 0.1, c: 1 },
    });
  });

  it('names the problem in a bad file and exits 1', () => {
    const r = runCliProcess(['inspect', fixturePath('json-models/bias-length.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('layers[0].b has 3 entries but layers[0].W has 2 rows');
    expect(r.stdout).toBe('');
  });

  it('says when the file is missing, and exits 2 on a bad command line', () => {
    const missing = runCliProcess(['inspect', 'no-such-model.json']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot read no-such-model.json: no such file');
    const usage = runCliProcess(['inspect', DEFAULT_MODEL, '--jsn']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('unknown option --jsn');
    expect(runCliProcess(['frobnicate']).status).toBe(2);
    expect(runCliProcess(['help']).stdout).toContain('inspect <model>');
  });
});
