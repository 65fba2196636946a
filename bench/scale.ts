/**
 * `npm run bench -- scale [--quick] [--repeats N] [--parts signals,widths,cli] [--figures]`:
 * how time and peak memory grow with the number of signals and with the
 * layer widths. Every point runs in a fresh child process (bench/scalePoint.ts,
 * one thread), so its peak resident set belongs to it alone; each point runs
 * `--repeats` times (default 2, 1 with --quick) and the table keeps the
 * fastest time. Writes bench/results/scale.json and the two README figures,
 * docs/figures/scale-signals.{svg,png} and docs/figures/scale-widths.{svg,png}
 * (with --quick: bench/results/scale-quick.json and the figures beside it,
 * leaving the README's alone).
 *
 * - signals: LP, LBP and the Oracle on the bundled MNIST generator
 *   (20-128-392-784), 1 … 4096 signals (--quick: 1 … 64).
 * - widths: random:64,W,4W,4W:tanh for W = 64 … 1024 (--quick: … 256), 4
 *   signals, LP and the Oracle. One family so that only the size changes:
 *   every layer expands by 4 but the last, a square 4W × 4W tanh layer, the
 *   largest matrix (4096 × 4096 at W = 1024) and the one whose Gram matrix
 *   and Cholesky factor the methods use.
 * - cli: `pursuit-lab invert random:64,1024,4096,4096:tanh --method lp,oracle
 *   --count 8` through the CLI's job engine (worker pool, run folder), its peak
 *   resident set by /usr/bin/time (skipped with --quick); then again with
 *   `--chunk-size 4 --workers 2`, two worker threads with a copy each.
 *
 * `--figures` only redraws the figures from the saved results (with --quick, the quick ones).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSvg, svgToPng } from '../src/main/services/reports/render';
import type { MethodId } from '../src/core/pursuit/types';
import type { ScalePoint, ScalePointSpec } from './scalePoint';
import { scaleSignalsOption, scaleWidthsOption } from './scaleFigures';

const root = fileURLToPath(new URL('..', import.meta.url));
const MNIST = 'resources/models/mnist-fc-gan.onnx';
const BIG = 'random:64,1024,4096,4096:tanh';

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A point as measured `repeats` times, each in its own process, with the fastest kept for the table. */
export interface ScaleEntry {
  readonly spec: ScalePointSpec;
  readonly runs: ScalePoint[];
  readonly best: ScalePoint;
}

/** Runs one point in a fresh Node process with the same TypeScript loader this bench runs under (tsx). */
function measurePoint(spec: ScalePointSpec): ScalePoint {
  const script = fileURLToPath(new URL('./scalePoint.ts', import.meta.url));
  const r = spawnSync(process.execPath, [...process.execArgv, script, JSON.stringify(spec)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`scale point ${JSON.stringify(spec)} failed (exit ${r.status})`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as ScalePoint;
}

function measure(spec: ScalePointSpec, repeats: number): ScaleEntry {
  const runs: ScalePoint[] = [];
  for (let k = 0; k < repeats; k++) {
    const p = measurePoint(spec);
    runs.push(p);
    console.log(
      `  ${spec.method} ${spec.model} × ${spec.count}: ${p.seconds.total.toFixed(2)} s (prepare ${p.seconds.prepare.toFixed(2)} s), ` +
        `peak RSS ${p.memoryMB.maxRss.toFixed(0)} MB, success ${(100 * p.successRate).toFixed(0)}%`,
    );
  }
  const best = runs.reduce((a, b) => (b.seconds.total < a.seconds.total ? b : a));
  return { spec, runs, best };
}

/**
 * The CLI on the 64-1024-4096-4096 generator: wall time and peak RSS of the
 * whole job (all threads). `extra`: e.g. `--chunk-size 4`, so that 8 signals
 * make two chunks and both worker threads (each with its own weights) run.
 */
function measureCli(count: number, extra: readonly string[] = []): Record<string, unknown> | undefined {
  if (!existsSync('/usr/bin/time')) {
    console.log('cli: /usr/bin/time not found, skipped (it measures the peak resident set)');
    return undefined;
  }
  const work = mkdtempSync(join(tmpdir(), 'pl-bench-scale-'));
  const args = [
    join(root, 'bin', 'pursuit-lab.mjs'),
    'invert',
    BIG,
    '--method',
    'lp,oracle',
    '--count',
    String(count),
    ...extra,
  ];
  console.log(`cli: pursuit-lab ${args.slice(1).join(' ')}`);
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'SCALE-TIME %e s %M kB', process.execPath, ...args, '--workspace', work, '--json', join(work, 'out.json')],
    { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
  );
  const timed = /SCALE-TIME ([\d.]+) s (\d+) kB/.exec(r.stderr);
  if (r.status !== 0 || timed === null) throw new Error(`the CLI run failed (exit ${r.status}): ${r.stderr}`);
  const report = JSON.parse(readFileSync(join(work, 'out.json'), 'utf8')) as {
    methods: Record<string, { seconds: number; summary: { successRate: number } }>;
  };
  rmSync(work, { recursive: true, force: true });
  const result = {
    command: `pursuit-lab ${args.slice(1).join(' ')}`,
    count,
    wallSeconds: Number(timed[1]),
    maxRssMB: (Number(timed[2]) * 1024) / 1e6,
    methods: Object.fromEntries(
      Object.entries(report.methods).map(([m, o]) => [m, { seconds: o.seconds, successRate: o.summary.successRate }]),
    ),
  };
  console.log(`  wall ${result.wallSeconds.toFixed(1)} s, peak RSS ${result.maxRssMB.toFixed(0)} MB`);
  return result;
}

function table(entries: readonly ScaleEntry[], x: (e: ScaleEntry) => string, xName: string): void {
  const rows = entries.map((e) => [
    e.spec.method,
    x(e),
    ...e.runs.map((r) => r.seconds.total.toFixed(2)).concat(e.runs.length < 2 ? [''] : []),
    e.best.seconds.prepare.toFixed(2),
    ((1000 * e.best.seconds.invert) / e.spec.count).toFixed(1),
    e.best.memoryMB.maxRss.toFixed(0),
    e.best.memoryMB.peakArrayBuffers.toFixed(0),
    `${(100 * e.best.successRate).toFixed(0)}%`,
  ]);
  const header = [
    'method',
    xName,
    'seconds',
    'again',
    'prepare s',
    'ms/signal',
    'peak RSS MB',
    'ArrayBuffers MB',
    'success',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  rows.forEach((r) => console.log(line(r)));
  console.log();
}

/** The README's figures (docs/figures/) from a full run; a --quick run's beside its results, so they stay. */
function writeFigure(name: string, option: Record<string, unknown>, quick: boolean, resultsDir: string): void {
  const dir = quick ? resultsDir : join(root, 'docs', 'figures');
  mkdirSync(dir, { recursive: true });
  const svg = renderSvg(option);
  writeFileSync(join(dir, `${name}.svg`), svg);
  writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
  console.log(`figure: ${join(dir, `${name}.png`)}`);
}

export function benchScale(args: readonly string[], resultsDir: string, machine: Record<string, unknown>): void {
  const quick = args.includes('--quick');
  const repeats = Number(flag(args, 'repeats') ?? (quick ? 1 : 2));
  const parts = (flag(args, 'parts') ?? 'signals,widths,cli').split(',');
  const counts = quick ? [1, 4, 16, 64] : [1, 4, 16, 64, 256, 1024, 4096];
  const widths = quick ? [64, 128, 256] : [64, 128, 256, 512, 1024];
  const widthSignals = 4;
  // A quick run keeps its own results, so it never mixes with (or overwrites) a full run's.
  const file = join(resultsDir, quick ? 'scale-quick.json' : 'scale.json');
  // Earlier parts stay when a run measures only some (`--parts widths` keeps the signals sweep).
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...previous, ...machine, quick, repeats };
  const save = () => writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  if (args.includes('--figures')) {
    // Only the figures again, from the saved results (no measuring).
    const saved = previous as { signals?: { entries: ScaleEntry[] }; widths?: { entries: ScaleEntry[] } };
    if (saved.signals) writeFigure('scale-signals', scaleSignalsOption(saved.signals.entries), quick, resultsDir);
    if (saved.widths) writeFigure('scale-widths', scaleWidthsOption(saved.widths.entries), quick, resultsDir);
    return;
  }

  if (parts.includes('signals')) {
    console.log(`scale: signals sweep, ${MNIST}, one thread, ${repeats} run(s) per point`);
    const entries: ScaleEntry[] = [];
    for (const method of ['oracle', 'lp', 'lbp'] as MethodId[])
      for (const count of counts) {
        entries.push(measure({ model: MNIST, method, count }, repeats));
        out.signals = { model: MNIST, counts, entries };
        save();
      }
    table(entries, (e) => String(e.spec.count), 'signals');
    writeFigure('scale-signals', scaleSignalsOption(entries), quick, resultsDir);
  }
  if (parts.includes('widths')) {
    console.log(`scale: widths sweep, random:64,W,4W,4W:tanh, ${widthSignals} signals, one thread`);
    const entries: ScaleEntry[] = [];
    for (const w of widths)
      for (const method of ['oracle', 'lp'] as MethodId[]) {
        entries.push(measure({ model: `random:64,${w},${4 * w},${4 * w}:tanh`, method, count: widthSignals }, repeats));
        out.widths = { family: 'random:64,W,4W,4W:tanh', signals: widthSignals, widths, entries };
        save();
      }
    table(entries, (e) => e.best.dims.join('-'), 'widths');
    writeFigure('scale-widths', scaleWidthsOption(entries), quick, resultsDir);
  }
  if (parts.includes('cli') && !quick) {
    // The default (8 signals are one chunk of 16: one worker thread), then two chunks on two workers.
    out.cli = [measureCli(8), measureCli(8, ['--chunk-size', '4', '--workers', '2'])];
    save();
  }
  console.log(`results in ${file}`);
}
