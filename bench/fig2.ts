/**
 * `npm run bench -- fig2 [--count N] [--n0 LIST] [--n1 LIST] [--workers LIST] [--chunk-size K]`:
 * the paper's Fig. 2 preset run through the CLI (the product path: job
 * engine, worker pool, run folder), once per worker count, timed by the wall
 * clock. Writes bench/results/fig2.json (times, speed-ups, per-method compute
 * time per grid point) and the run's report figures to bench/results/fig2/.
 *
 * Defaults: the full preset (512 signals × 20 n1 × 2 n0 × lp, lbp, gd) with
 * every core, then with one worker for the speed-up. Each run is the whole
 * job, so the full default takes as long as the sweep does twice.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SweepResult } from '../src/core/experiments/sweep';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'pursuit-lab.mjs');

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
const list = (text: string | undefined) => text?.split(',').map(Number);

export function benchFig2(args: readonly string[], resultsDir: string, machine: Record<string, unknown>): void {
  const count = Number(flag(args, 'count') ?? 512);
  const n0 = list(flag(args, 'n0'));
  const n1 = list(flag(args, 'n1'));
  const workerCounts = list(flag(args, 'workers')) ?? [availableParallelism(), 1];
  const chunkSize = flag(args, 'chunk-size');
  const spec = {
    kind: 'sweep',
    count,
    ...(chunkSize !== undefined ? { chunkSize: Number(chunkSize) } : {}),
    ...(n0 !== undefined ? { n0 } : {}),
    ...(n1 !== undefined ? { n1 } : {}),
  };
  const work = mkdtempSync(join(tmpdir(), 'pl-bench-fig2-'));
  const specPath = join(work, 'fig2.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const runs: { workers: number; seconds: number; id: string }[] = [];
  let result: SweepResult | undefined;
  for (const workers of workerCounts) {
    const workspace = join(work, `w${workers}`);
    const out = join(work, `w${workers}.json`);
    console.log(`fig2: ${JSON.stringify(spec)} with ${workers} worker(s)…`);
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [cli, 'experiment', specPath, '--workers', String(workers), '--workspace', workspace, '--json', out],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`the fig2 run with ${workers} worker(s) failed (exit ${r.status})`);
    const json = JSON.parse(readFileSync(out, 'utf8')) as SweepResult & { run: { id: string; dir: string } };
    const { run, ...rest } = json;
    // Bit-identical whatever the worker count, timings aside: checked here too, on the real run.
    const comparable = (x: object) => JSON.stringify(x, (k, v: unknown) => (k === 'seconds' ? undefined : v));
    if (result !== undefined && comparable(result) !== comparable(rest))
      throw new Error(`the ${workers}-worker result differs from the first run's`);
    result = rest;
    runs.push({ workers, seconds, id: run.id });
    if (runs.length === 1) {
      const figures = join(resultsDir, 'fig2');
      rmSync(figures, { recursive: true, force: true });
      const report = spawnSync(
        process.execPath,
        [cli, 'report', run.dir, '--out', figures, '--format', 'png,svg,csv,html'],
        { stdio: 'inherit' },
      );
      if (report.status !== 0) throw new Error('the report of the fig2 run failed');
      console.log(`figures: ${readdirSync(join(figures, 'figures')).length} files in ${figures}/figures`);
      cpSync(join(run.dir, 'result.json'), join(resultsDir, 'fig2-result.json'));
    }
  }
  rmSync(work, { recursive: true, force: true });
  const one = runs.find((r) => r.workers === 1);
  const speedups = one === undefined ? {} : Object.fromEntries(runs.map((r) => [r.workers, one.seconds / r.seconds]));
  const perMethod = Object.fromEntries(
    result!.settings.methods.map((m) => [m, result!.points.reduce((a, p) => a + (p.methods[m]?.seconds ?? 0), 0)]),
  );
  console.log();
  for (const r of runs)
    console.log(
      `${r.workers} worker(s): ${r.seconds.toFixed(1)} s${one !== undefined ? `, speed-up ${(one.seconds / r.seconds).toFixed(2)}×` : ''}`,
    );
  console.log(
    `compute time per method (all points, summed over workers): ${Object.entries(perMethod)
      .map(([m, s]) => `${m} ${s.toFixed(1)} s`)
      .join(', ')}`,
  );
  writeFileSync(
    join(resultsDir, 'fig2.json'),
    JSON.stringify(
      {
        ...machine,
        cores: availableParallelism(),
        cpus: cpus().length,
        spec,
        runs,
        speedups,
        computeSecondsPerMethod: perMethod,
        points: result!.points.map((p) => ({
          n0: p.n0,
          n1: p.n1,
          seconds: Object.fromEntries(Object.entries(p.methods).map(([m, v]) => [m, v.seconds])),
        })),
      },
      null,
      2,
    ) + '\n',
  );
}
