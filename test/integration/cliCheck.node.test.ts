import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';

describe('pursuit-lab check', () => {
  it('prints the per-layer table and verdict, and writes the issue-shaped JSON', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pl-check-')), 'check.json');
    const r = runCliProcess([
      'check',
      'random:50,200,400,800:identity',
      '--samples',
      '24',
      '--seed',
      '2',
      '--json',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/x1\s+200/);
    expect(r.stdout).toMatch(/x2\s+400/);
    expect(r.stdout).toContain('verdict: ');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.samples).toBe(24);
    expect(doc.layers).toHaveLength(2);
    for (const l of doc.layers) {
      expect(Object.keys(l)).toEqual(
        expect.arrayContaining(['index', 'n', 'sparsity', 'coherence', 'theorem1', 'theorem2', 'theorem3']),
      );
      expect(Object.keys(l.sparsity)).toEqual(expect.arrayContaining(['median', 'p10', 'p90']));
    }
    for (const t of ['theorem1', 'theorem2', 'theorem3']) {
      const overall = doc.theorems[t].passFraction;
      // All layers must hold for a sample to pass: the overall fraction never exceeds a layer's.
      for (const l of doc.layers) expect(overall).toBeLessThanOrEqual(l[t].passFraction);
    }
    expect(doc.verdict).toBe(r.stdout.split('verdict: ')[1].trim());
  });

  it('gives Theorem 3 error bounds with --noise, and refuses bad options', () => {
    const r = runCliProcess(['check', 'random:20,80,160:tanh', '--samples', '8', '--noise', '0.01']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ε_i bound');
    expect(r.stdout).toContain('Theorem 3 bound on ‖ẑ − z‖ at σ = 0.01');
    expect(runCliProcess(['check', 'random:20,80,160', '--samples', '0']).stderr).toContain(
      '--samples must be an integer',
    );
  });

  it('invert --certify adds a certificate to every signal', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pl-cert-')), 'run.json');
    const r = runCliProcess([
      'invert',
      'random:20,80,160:tanh',
      '--method',
      'lp',
      '--count',
      '4',
      '--certify',
      '--json',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lp: \d of 4 recovered signals certified unique by Theorem 1/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    for (const s of doc.methods.lp.signals) {
      expect(typeof s.certificate.certified).toBe('boolean');
      expect(s.certificate.sparsity).toHaveLength(1);
      if (!s.certificate.certified) expect(s.certificate.failing.condition).toMatch(/s₁|rank/);
    }
  });
});
