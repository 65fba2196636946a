// The sweep, trained and noise jobs end to end through the real CLI and
// worker threads: the fig2 preset's --quick smoke run (the paper's Fig. 2
// transition at s1 ≈ n0), and trained/noise jobs on a tiny random model
// from spec files.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NoiseResult } from '../../src/core/experiments/noise';
import type { SweepResult } from '../../src/core/experiments/sweep';
import type { TrainedResult } from '../../src/core/experiments/trained';
import { runCliProcess } from '../helpers/cli';

const root = mkdtempSync(join(tmpdir(), 'pl-job-kinds-'));
const runDirOf = (stdout: string) => /^run \S+ done: (.+)$/m.exec(stdout)?.[1];
const result = <T>(stdout: string) => JSON.parse(readFileSync(join(runDirOf(stdout)!, 'result.json'), 'utf8')) as T;
const quantileKeys = ['p10', 'p25', 'p50', 'p75', 'p90'];

describe('job kinds through pursuit-lab experiment', () => {
  it('runs the fig2 preset with --quick: the Fig. 2 shape, and LP/LBP succeed exactly where s1 ≥ n0', () => {
    const workspace = join(root, 'fig2');
    // --count 16 halves the quick run's 32 signals: the test must stay well inside a minute on a loaded machine.
    const r = runCliProcess([
      'experiment',
      'fig2',
      '--quick',
      '--count',
      '16',
      '--workers',
      '2',
      '--workspace',
      workspace,
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const sweep = result<SweepResult>(r.stdout);
    expect(Object.keys(sweep).sort()).toEqual(['kind', 'points', 'settings']);
    expect(sweep.kind).toBe('sweep');
    expect(sweep.settings).toEqual({
      n0: [100],
      n1: [50, 150, 300, 450],
      n: 625,
      count: 16,
      seed: 0,
      methods: ['lp', 'lbp', 'gd'],
      successThreshold: 1e-3,
      chunkSize: 16,
    });
    expect(sweep.points.map((p) => p.n1)).toEqual([50, 150, 300, 450]);
    for (const p of sweep.points) {
      expect(Object.keys(p).sort()).toEqual(['medianS1', 'methods', 'n0', 'n1', 'theorem2']);
      expect(Object.keys(p.methods)).toEqual(['lp', 'lbp', 'gd']);
      for (const m of Object.values(p.methods)) {
        expect(Object.keys(m).sort()).toEqual(['layers', 'seconds', 'successRate']);
        for (const layer of ['z', 'x1', 'image'] as const) {
          expect(Object.keys(m.layers[layer])).toEqual(quantileKeys);
          expect(m.layers[layer].p90).toBeLessThanOrEqual(400);
        }
      }
      // s1 ≈ n1/2 for Gaussian weights; the regimes are far from the boundary at these n1.
      if (p.medianS1 >= p.n0 * 1.3) {
        expect(p.theorem2.passFraction).toBe(1);
        expect(p.methods.lp!.successRate).toBe(1);
        expect(p.methods.lbp!.successRate).toBe(1);
      } else if (p.medianS1 < p.n0 * 0.8) {
        expect(p.theorem2.passFraction).toBe(0);
        expect(p.methods.lp!.successRate).toBe(0);
        expect(p.methods.lbp!.successRate).toBe(0);
      }
    }
    expect(sweep.points[0].medianS1).toBeLessThan(100 * 0.8);
    expect(sweep.points[3].medianS1).toBeGreaterThanOrEqual(100 * 1.3);
  });

  it('runs a trained job on a tiny square model from a spec file: three settings of invert reports', () => {
    const spec = join(root, 'trained.json');
    writeFileSync(
      spec,
      JSON.stringify({
        kind: 'trained',
        model: 'random:6,60,64:tanh',
        methods: ['lbp', 'oracle'],
        count: 6,
        chunkSize: 3,
      }),
    );
    const r = runCliProcess(['experiment', spec, '--workers', '2', '--workspace', join(root, 'trained')]);
    expect(r.status).toBe(0);
    const t = result<TrainedResult & { model: { dims: number[] } }>(r.stdout);
    expect(t.kind).toBe('trained');
    expect(t.model.dims).toEqual([6, 60, 64]);
    expect(t.settings.map((s) => s.name)).toEqual(['clean', 'random', 'rows']);
    expect(t.settings[2].mask).toEqual({ kind: 'rows', from: 0, to: 3 });
    for (const s of t.settings) expect(s.report.methods.lbp!.signals).toHaveLength(6);
    // Every pixel known: the Oracle is exact. Hiding pixels may leave too few equations on so small a model.
    expect(t.settings[0].report.methods.oracle!.summary.successRate).toBe(1);
  });

  it('refuses a trained job on a model whose output is not a square image, before creating a run', () => {
    const spec = join(root, 'trained-bad.json');
    writeFileSync(spec, JSON.stringify({ kind: 'trained', model: 'random:6,60,80:tanh', count: 2 }));
    const r = runCliProcess(['experiment', spec, '--workspace', join(root, 'bad')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/must be a square image; it has 80 values/);
  });

  it('runs a noise job on a tiny model from a spec file: SNR falls as σ grows, with Theorem 4’s band', () => {
    const spec = join(root, 'noise.json');
    writeFileSync(
      spec,
      JSON.stringify({
        kind: 'noise',
        model: 'random:5,50,80:identity',
        sigmas: [1e-3, 1e-2, 1e-1],
        methods: ['oracle-e2e', 'lbp'],
        count: 8,
        boundSignals: 4,
      }),
    );
    const r = runCliProcess(['experiment', spec, '--workers', '2', '--workspace', join(root, 'noise')]);
    expect(r.status).toBe(0);
    const n = result<NoiseResult>(r.stdout);
    expect(n.kind).toBe('noise');
    expect(n.points.map((p) => p.sigma)).toEqual([1e-3, 1e-2, 1e-1]);
    const oracle = n.points.map((p) => p.methods['oracle-e2e']!.snrZ.p50);
    expect(oracle[0]).toBeGreaterThan(oracle[1]);
    expect(oracle[1]).toBeGreaterThan(oracle[2]);
    for (const p of n.points) {
      expect(p.theorem4.snrZ.low).toBeLessThanOrEqual(p.theorem4.snrZ.high);
      expect(Object.keys(p.methods['lbp']!.snrImage)).toEqual(['p10', 'p50', 'p90']);
    }
  });

  it('refuses preset flags with a spec file, and --model with fig2', () => {
    const a = runCliProcess(['experiment', join(root, 'noise.json'), '--quick', '--workspace', join(root, 'x')]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/--quick goes with a preset/);
    const b = runCliProcess(['experiment', 'fig2', '--model', 'm.onnx', '--workspace', join(root, 'x')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/fig2 draws random models/);
  });
});
