import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkMemoryBudget,
  estimateMemory,
  formatBytes,
  parseSize,
  preparedBytes,
  workersWithinBudget,
} from '../../../src/cli/budget';
import { runCli } from '../../../src/cli/main';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('memory budget', () => {
  it('estimates weights and signals × widths in float64', () => {
    const need = estimateMemory([20000, 20000, 20000], 2);
    expect(need.weights).toBe((2 * 20000 * 20000 + 2 * 20000) * 8);
    expect(need.signals).toBe(2 * 60000 * 8 * 8);
    expect(formatBytes(need.total)).toBe('6.4 GB');
    expect(parseSize('4GB')).toBe(4e9);
    expect(parseSize('512mb')).toBe(512e6);
    expect(parseSize('1.5G')).toBe(1.5e9);
    expect(parseSize('lots')).toBeUndefined();
    expect(() => checkMemoryBudget('m', [10, 20, 30], 1, 1e9)).not.toThrow();
  });

  it('refuses random:20000,20000,20000 before allocating, with the estimate and the way out', async () => {
    const r = await cli(['invert', 'random:20000,20000,20000', '--count', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'pursuit-lab invert: random:20000,20000,20000 with 2 signals needs about 6.4 GB (weights 6.4 GB + signals 8 MB), over the 4 GB budget; use --memory-budget to raise it\n',
    );
    expect(r.out).toBe('');
  });

  it('refuses --count 2e5 on the paper model with its estimate; --memory-budget raises the budget', async () => {
    const r = await cli(['invert', 'random:100,300,625', '--count', '2e5']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/with 200,000 signals needs about 13\.1 GB .* over the 4 GB budget/);
    const check = await cli(['check', 'random:20000,20000,20000', '--samples', '1']);
    expect(check.err).toMatch(/needs about 6\.4 GB/);
    const tiny = await cli(['invert', 'random:10,20,30', '--count', '2', '--memory-budget', '1kB']);
    expect(tiny.err).toMatch(/over the 1 kB budget/);
    expect((await cli(['invert', 'random:10,20,30', '--memory-budget', 'plenty'])).err).toMatch(
      /--memory-budget must be a size/,
    );
  });

  it('checks --json and --out paths for writing before any work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pursuit-lab-cli-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'x');
      for (const [argv, flag] of [
        [['invert', 'random:10,20,30', '--count', '2', '--json', join(dir, 'missing', 'r.json')], '--json'],
        [['check', 'random:10,20,30', '--samples', '2', '--json', join(file, 'r.json')], '--json'],
        [['inspect', 'no-such-model.json', '--out', dir], '--out'],
      ] as const) {
        const r = await cli([...argv]);
        expect(r.code, argv.join(' ')).toBe(1);
        expect(r.err).toContain(`${flag} `);
        expect(r.err).toMatch(/cannot write there|it is a folder/);
        expect(r.out).toBe(''); // nothing ran: no table was printed
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bounds the worker threads of a job: each holds the weights and their prepared forms beside the main thread', () => {
    // random:1000,1000,1000: 16 MB of weights; a chunk of 16 signals 3000 widths × 8 B × 8 copies = 3.1 MB;
    // prepared per worker: per layer Wᵀ and the packed W, Wᵀ (3 × 8 MB) and WᵀW (8 MB), and the
    // square last layer's Cholesky factor (8 MB) = 72 MB.
    const dims = [1000, 1000, 1000];
    expect(preparedBytes(dims)).toBe((2 * (3 + 1) + 1) * 1000 * 1000 * 8);
    // A wide last layer (fewer rows than columns) has no Cholesky factor.
    expect(preparedBytes([10, 40, 20])).toBe((3 * 40 * 10 + 100 + 3 * 20 * 40 + 1600) * 8);
    const one = estimateMemory(dims, 16);
    const perWorker = one.total + preparedBytes(dims);
    expect(workersWithinBudget('m', dims, 16, 400e6, undefined, 2)).toEqual({ workers: 2 });
    const capped = workersWithinBudget('m', dims, 16, 400e6, undefined, 16);
    expect(capped.workers).toBe(Math.floor((400e6 - one.weights) / perWorker));
    expect(capped.workers).toBe(4);
    expect(capped.note).toMatch(/using 4 worker thread\(s\) of 16 cores/);
    expect(workersWithinBudget('m', dims, 16, 400e6, 3, 16)).toEqual({ workers: 3 });
    expect(() => workersWithinBudget('m', dims, 16, 400e6, 5, 16)).toThrow(
      /--workers 5: m needs about 471 MB \(6 copies of the 16 MB of weights.*\+ 72 MB per worker of their transposes.*which holds 4 worker\(s\)/,
    );
    expect(() => workersWithinBudget('m', dims, 16, 100e6, undefined, 16)).toThrow(
      /m with one worker thread needs about 107 MB .* over the 100 MB budget; use --memory-budget/,
    );
  });

  it('invert refuses workers the budget cannot hold before running anything', async () => {
    const r = await cli(['invert', 'random:1000,1000,1000', '--count', '1', '--memory-budget', '20MB']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/with one worker thread needs about 104 MB .* over the 20 MB budget/);
    expect(r.out).toBe('');
  });
});
