import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli';
import { fixturePath } from '../helpers/fixtures';

/** Run folders go to a temporary workspace, not the repository's. */
const workspace = mkdtempSync(join(tmpdir(), 'pl-invert-ws-'));
const cli = (args: string[]) => runCliProcess([...args, '--workspace', workspace]);

/** A --json report without its timings and run folder, the parts that differ between two runs of one job. */
const comparable = (path: string) =>
  JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), (k, v: unknown) =>
    k === 'seconds' || k === 'run' ? undefined : v,
  );

describe('pursuit-lab invert', () => {
  it('runs the published baselines lei and gd-clip (HiGHS loaded by the command)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pl-invert-')), 'run.json');
    const r = runCliProcess(['invert', 'random:10,40,160', '--method', 'lei,gd-clip', '--count', '4', '--json', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lei\s+Lei et al\. \(2019\) LP/);
    expect(r.stdout).toMatch(/gd-clip\s+GD \+ stochastic clipping \(Lipton & Tripathi 2017\)/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.methods.lei.summary.successRate).toBe(1);
    expect(doc.methods.lei.summary.stopReasons).toEqual({ exact: 4 });
    expect(doc.methods['gd-clip'].summary.successRate).toBe(1);
  });

  it('prints a table per method and writes the issue-shaped JSON', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pl-invert-')), 'run.json');
    const r = cli([
      'invert',
      'random:20,80,160:tanh',
      '--method',
      'lp,oracle,gd',
      '--count',
      '6',
      '--seed',
      '3',
      '--max-iterations',
      '3000',
      '--json',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lp\s+Latent-Pursuit/);
    expect(r.stdout).toMatch(/oracle\s+Oracle \(layer-wise\)/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.model).toMatchObject({ dims: [20, 80, 160], output: 'tanh' });
    expect(doc.settings).toMatchObject({
      count: 6,
      seed: 3,
      mask: { kind: 'none' },
      noise: { kind: 'none' },
      successThreshold: 0.001,
    });
    for (const m of ['lp', 'oracle', 'gd']) {
      const method = doc.methods[m];
      // Wall time from a millisecond clock: a fast method on a fast machine may read 0.
      expect(method.seconds).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(method.seconds)).toBe(true);
      expect(Object.keys(method.summary)).toEqual(
        expect.arrayContaining(['successRate', 'medianSnrZ', 'p10SnrZ', 'p90SnrZ', 'medianSnrImage']),
      );
      expect(method.signals).toHaveLength(6);
      const s = method.signals[0];
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['relErrZ', 'snrZ', 'snrLayers', 'snrImage', 'iterations', 'stopReason']),
      );
      expect(s.snrLayers).toHaveLength(1);
    }
    expect(doc.methods.lp.summary.successRate).toBe(1);
    expect(doc.methods.oracle.summary.successRate).toBe(1);
  });

  it('inverts a model file with a mask and noise, and a custom activation', () => {
    const r = cli([
      'invert',
      fixturePath('json-models/tiny-custom.json'),
      '--method',
      'oracle-e2e',
      '--count',
      '3',
      '--noise',
      '0.01',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('output custom(x + 0.5 * tanh(x))');
    const masked = cli(['invert', 'random:16,40,64:identity', '--method', 'lp', '--count', '4', '--mask', 'rows:0-1']);
    expect(masked.status).toBe(0);
    expect(masked.stdout).toContain('mask rows:0-1');
    // LBP with the Theorem 3 λ rule on request (the default is λ = 0).
    const rule = cli([
      'invert',
      'random:20,60,120',
      '--method',
      'lbp',
      '--count',
      '2',
      '--noise',
      '0.01',
      '--lambda',
      'theorem3',
    ]);
    expect(rule.status).toBe(0);
    expect(rule.stdout).toContain('Layered Basis-Pursuit');
  });

  it("--gd-schedule step runs gd with the paper's schedule", () => {
    const r = cli([
      'invert',
      'random:5,20,40',
      '--method',
      'gd',
      '--count',
      '2',
      '--max-iterations',
      '20',
      '--gd-schedule',
      'step',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Gradient descent');
  });

  it('spreads the signals over the worker pool: 1 worker and 2, chunks of 2 and 3, give the same report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-invert-'));
    const common = [
      'invert',
      'random:12,50,100:tanh',
      '--method',
      'lp,lbp,oracle,gd',
      '--count',
      '7',
      '--seed',
      '5',
      '--mask',
      'random:0.2',
      '--noise',
      '0.001',
      '--max-iterations',
      '200',
      '--restarts',
      '2',
    ];
    const one = cli([...common, '--workers', '1', '--chunk-size', '2', '--json', join(dir, 'one.json')]);
    const two = cli([...common, '--workers', '2', '--chunk-size', '3', '--json', join(dir, 'two.json')]);
    expect([one.status, two.status]).toEqual([0, 0]);
    expect(one.stderr).toMatch(/run \S+-invert-\S+: /);
    expect(comparable(join(dir, 'one.json'))).toBe(comparable(join(dir, 'two.json')));
    const doc = JSON.parse(readFileSync(join(dir, 'two.json'), 'utf8'));
    expect(doc.settings.draws).toBe('signal');
    expect(doc.methods.gd.signals).toHaveLength(7);
    // Each run kept its chunks in its run folder: 4 chunks of 2, then 3 of 3.
    const folders = readdirSync(join(workspace, 'runs')).map((id) => join(workspace, 'runs', id));
    const chunkCounts = folders
      .filter((f) => JSON.parse(readFileSync(join(f, 'spec.json'), 'utf8')).job.seed === 5)
      .map((f) => readdirSync(join(f, 'chunks')).length)
      .sort();
    expect(chunkCounts).toEqual([3, 4]);
  });

  it.each([
    [['invert', 'random:20,60,120', '--method', 'lp,magic'], 2, 'unknown method "magic"'],
    [['invert', 'random:20,60,120', '--count', '0'], 2, '--count must be a positive integer'],
    [['invert', 'random:20,60,120', '--mask', 'random:2'], 2, '--mask: mask fraction must be in [0, 1)'],
    [['invert', 'random:20,60,120', '--noise', '-1'], 2, '--noise must be a number ≥ 0'],
    [['invert', 'random:20,60,120', '--lambda', 'big'], 2, '--lambda must be a number ≥ 0, got "big"'],
    [['invert', 'random:20,60,120:softmax'], 1, 'unknown activation "softmax"'],
    [['invert', 'random:20,60,120', '--mask', 'rows:0-3'], 2, 'a rows mask needs a square image'],
    [['invert', 'random:20,60,120:custom(x^2)'], 1, 'is not strictly increasing'],
    [['invert', 'random:20,60,120', '--gd-schedule', 'cosine'], 2, '--gd-schedule must be step or geometric'],
    [['invert', 'random:20,60,120', '--workers', '0'], 2, '--workers must be an integer from 1 to 1024'],
    [['invert', 'random:20,60,120', '--chunk-size', '0'], 2, '--chunk-size must be a positive integer'],
  ])('%j exits %i naming the problem', (args, status, message) => {
    const r = cli(args as string[]);
    expect(r.status).toBe(status);
    expect(r.stderr).toContain(message);
  });

  it('a workspace that is a file ends in one line naming it, and the workers started early do not keep the command alive', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pl-invert-')), 'not-a-folder');
    writeFileSync(file, 'x');
    const r = runCliProcess(['invert', 'random:10,20,30:tanh', '--count', '2', '--workers', '2', '--workspace', file]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(`^pursuit-lab invert: cannot create the run folder in ${file}: .* lies under a file, not a folder`),
    );
    expect(r.stderr).not.toContain('    at ');
  });
});
