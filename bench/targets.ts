/**
 * `npm run bench -- targets [--count N] [--cases a,b,…] [--workers N] [--seed S] [--gd-count N] [--one N]`:
 * issue 12's speed targets on the bundled MNIST generator (20-128-392-784),
 * each case measured the way a user runs it, and a table of target against
 * measured, met or not. Writes bench/results/targets.json.
 *
 * How each case is timed:
 * - Every case but `oracle-app` and `lp-one` runs the built CLI, `pursuit-lab invert … --workers N`
 *   (rebuilt first, so it is the current source), and its time is the wall clock
 *   of that process from spawn to exit: Node's start, reading the model, the
 *   worker pool, the solves, the report and the run folder, as a user waits
 *   for them. The job's own span (status.json, started → finished) is recorded
 *   beside it to show the start-up's share.
 * - `oracle-app` and `lp-one` time what the app's Run button calls: the jobs host
 *   (src/main/services/jobs/host.ts, in this process, with the bundled models in a
 *   fresh workspace) from its start call to the run's done event — the model
 *   resolved, the run folder written, the chunks computed on the host's worker
 *   pool, saved and merged, result.json written. The host keeps its pool and the
 *   resolved model from one run to the next (poolKeeper.ts), so after the first
 *   run (reported beside) a run pays no pool start and no parse: `oracle-app` is
 *   the median of five Oracle runs on 512 signals, `lp-one` (the wizard's click)
 *   the median and p90 of `--one` one-signal LP runs (default 30), each a
 *   different signal, after three warm-up clicks. The renderer's own part (the
 *   IPC call, drawing the result) is not in them.
 *
 * Success is also given where the layer-wise Oracle succeeds (issue 12: ≥ 99% there):
 * the Oracle runs, untimed, on the same signals. The noisy case runs the
 * end-to-end Oracle on the same signals and reports the gap of the median SNR(z).
 * The peer cases run bench/peers/*.py (PyTorch, float64, threads = cores) on the
 * same latents; the peer's time is what its script measures around its solve
 * (without Python's start and torch's import), ours is the CLI wall clock above.
 *
 * `gd` (512 signals × 10,000 iterations, minutes) runs only when named in --cases;
 * `--gd-count` gives it fewer signals. The targets are for 512 signals: a case
 * run with another count reports its numbers but not met/not met (except the
 * ratios against the peers, which compare the same signals at any count).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InvertReport } from '../src/core/experiments/invert';
import { signalLatents } from '../src/core/experiments/signalDraws';
import { openModel } from '../src/core/formats/index';
import { relativeError } from '../src/core/metrics';
import type { Generator as Net } from '../src/core/model/generator';
import type { MethodId } from '../src/core/pursuit/types';
import { createEventHub } from '../src/main/services/events';
import { JobHost } from '../src/main/services/jobs/host';
import { ModelStore } from '../src/main/services/modelStore';
import type { RunProgressEvent } from '../src/shared/contract';
import { peersUnavailableReason, runPeer, writeProblem } from './peers';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'pursuit-lab.mjs');
const MNIST_FILE = 'mnist-fc-gan.onnx';
const MNIST = join(root, 'resources', 'models', MNIST_FILE);
/** The count every target is stated for. */
const TARGET_COUNT = 512;
const THRESHOLD = 1e-3;

interface CliCase {
  readonly id: string;
  readonly what: string;
  readonly method: MethodId;
  readonly model?: string;
  readonly flags?: readonly string[];
  /** Wall-clock target in seconds (all cores, 512 signals). */
  readonly seconds: number;
  /** The reference run on the same signals: the layer-wise Oracle (success where it succeeds) or the end-to-end one (SNR gap). */
  readonly reference?: 'oracle' | 'oracle-e2e';
  /** Most the median SNR(z) may fall below the reference's, in dB. */
  readonly gapDb?: number;
  /**
   * The case that judges this target instead, where the command's own start is most of it:
   * the CLI's time is still measured and shown, with a one-signal run's beside it (the start).
   */
  readonly judgedIn?: string;
}

const CLI_CASES: readonly CliCase[] = [
  { id: 'lp', what: 'LP, clean', method: 'lp', seconds: 5, reference: 'oracle' },
  { id: 'lbp', what: 'LBP, clean', method: 'lbp', seconds: 3, reference: 'oracle' },
  { id: 'oracle', what: 'Oracle, clean', method: 'oracle', seconds: 0.5, judgedIn: 'oracle-app' },
  {
    id: 'lp-mask-random',
    what: 'LP, 45% of pixels hidden',
    method: 'lp',
    flags: ['--mask', 'random:0.45'],
    seconds: 8,
    reference: 'oracle',
  },
  {
    id: 'lp-mask-rows',
    what: 'LP, top 13 rows hidden',
    method: 'lp',
    flags: ['--mask', 'rows:0-12'],
    seconds: 8,
    reference: 'oracle',
  },
  {
    id: 'lp-noise',
    what: 'LP, noise σ = 0.05',
    method: 'lp',
    flags: ['--noise', '0.05'],
    seconds: 30,
    reference: 'oracle-e2e',
    gapDb: 1,
  },
  {
    id: 'lp-tanh',
    what: 'LP, random:100,1000,625:tanh',
    method: 'lp',
    model: 'random:100,1000,625:tanh',
    seconds: 60,
    reference: 'oracle',
  },
];
const ALL_CASES = [...CLI_CASES.map((c) => c.id), 'oracle-app', 'lp-one', 'lp-peer', 'gd'];
const DEFAULT_CASES = ALL_CASES.filter((c) => c !== 'gd');

interface CliRun {
  /** The process's wall clock, spawn to exit. */
  readonly wallSeconds: number;
  /** The job's span by its status.json (pool start to last chunk). */
  readonly jobSeconds: number;
  readonly report: InvertReport;
}

export interface TargetRow {
  readonly id: string;
  readonly what: string;
  readonly count: number;
  readonly target: string;
  readonly measured: string;
  /** undefined: not judged, for the reason in notJudged. */
  readonly met: boolean | undefined;
  readonly notJudged?: string;
  readonly details: Record<string, unknown>;
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function positive(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`--${name} must be a positive integer, got "${text}"`);
  return v;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const db = (v: number) => (v >= 400 ? '≥400' : v.toFixed(1));
const stops = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export async function benchTargets(
  args: readonly string[],
  resultsDir: string,
  machine: Record<string, unknown>,
): Promise<void> {
  const count = positive(flag(args, 'count'), 'count', TARGET_COUNT);
  const workers = positive(flag(args, 'workers'), 'workers', availableParallelism());
  const seed = Number(flag(args, 'seed') ?? 0);
  const gdCount = positive(flag(args, 'gd-count'), 'gd-count', count);
  const oneCount = positive(flag(args, 'one'), 'one', 30);
  const cases = flag(args, 'cases')?.split(',') ?? DEFAULT_CASES;
  const unknown = cases.filter((c) => !ALL_CASES.includes(c));
  if (unknown.length > 0)
    throw new RangeError(`unknown case(s) ${unknown.join(', ')}; the cases: ${ALL_CASES.join(', ')}`);

  // The current source, built: the CLI's start-up is part of what a user waits for.
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:cli failed; the targets time the built CLI');
  const work = mkdtempSync(join(tmpdir(), 'pl-bench-targets-'));
  let runs = 0;
  const invert = (model: string, method: MethodId, n: number, flags: readonly string[] = []): CliRun => {
    const out = join(work, `r${++runs}.json`);
    // A workspace per run: its one run folder holds the job's status.json.
    const workspace = join(work, `ws${runs}`);
    const argv = [cli, 'invert', model, '--method', method, '--count', String(n), '--seed', String(seed)];
    argv.push('--workers', String(workers), '--workspace', workspace, '--json', out, ...flags);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, {
      env: { ...process.env, PURSUIT_LAB_CLI: 'built' },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`pursuit-lab ${argv.slice(1).join(' ')} failed (${r.status}): ${r.stderr}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as InvertReport;
    const [id] = readdirSync(join(workspace, 'runs'));
    const status = JSON.parse(readFileSync(join(workspace, 'runs', id, 'status.json'), 'utf8')) as {
      started: string;
      finished: string;
    };
    const jobSeconds = (Date.parse(status.finished) - Date.parse(status.started)) / 1000;
    return { wallSeconds, jobSeconds, report };
  };
  // References by (model, flags): several cases share the clean Oracle.
  const references = new Map<string, InvertReport>();
  const reference = (model: string, method: MethodId, flags: readonly string[]) => {
    const key = `${model} ${method} ${flags.join(' ')}`;
    if (!references.has(key)) references.set(key, invert(model, method, count, flags).report);
    return references.get(key)!;
  };

  const { generator: mnist } = openModel(new Uint8Array(readFileSync(MNIST)), 'mnist-fc-gan.onnx');
  const rows: TargetRow[] = [];
  const lpClean = new Map<number, CliRun>();
  try {
    for (const c of CLI_CASES.filter((c) => cases.includes(c.id))) {
      console.log(`targets: ${c.id} (${c.what}), ${count} signals, ${workers} worker(s) …`);
      const model = c.model ?? MNIST;
      const run = invert(model, c.method, count, c.flags);
      if (c.id === 'lp') lpClean.set(count, run);
      const ours = run.report.methods[c.method]!;
      const judged = count === TARGET_COUNT;
      const timeMet = run.wallSeconds <= c.seconds;
      const details: Record<string, unknown> = {
        command: `pursuit-lab invert ${c.model ?? 'mnist-fc-gan.onnx'} --method ${c.method} --count ${count} --workers ${workers}${c.flags ? ` ${c.flags.join(' ')}` : ''}`,
        wallSeconds: run.wallSeconds,
        jobSeconds: run.jobSeconds,
        computeSeconds: ours.seconds,
        successRate: ours.summary.successRate,
        medianSnrZ: ours.summary.medianSnrZ,
        stopReasons: ours.summary.stopReasons,
      };
      let met: boolean | undefined = judged ? timeMet : undefined;
      let target = `≤ ${c.seconds} s`;
      let extra = '';
      if (c.reference === 'oracle') {
        const ref = reference(model, 'oracle', c.flags ?? []).methods.oracle!.signals;
        const where = ref.flatMap((s, j) => (s.relErrZ < THRESHOLD ? [j] : []));
        const ok = where.filter((j) => ours.signals[j].relErrZ < THRESHOLD).length;
        const rate = where.length === 0 ? Number.NaN : ok / where.length;
        details.oracleSuccessRate = where.length / ref.length;
        details.successWhereOracleSucceeds = rate;
        target += ', ≥ 99% where the Oracle succeeds';
        extra = `, ${pct(rate)} of the Oracle's ${where.length}`;
        if (met !== undefined) met = met && rate >= 0.99;
      }
      if (c.reference === 'oracle-e2e') {
        const ref = reference(model, 'oracle-e2e', c.flags ?? []).methods['oracle-e2e']!;
        const gap = ref.summary.medianSnrZ - ours.summary.medianSnrZ;
        const perSignal = ours.signals.map((s, j) => ref.signals[j].snrZ - s.snrZ).sort((a, b) => a - b);
        details.oracleE2eMedianSnrZ = ref.summary.medianSnrZ;
        details.snrGapDb = gap;
        details.medianPerSignalGapDb = quantile(perSignal, 0.5);
        target += `, SNR within ${c.gapDb} dB of oracle-e2e`;
        extra = `, gap ${gap.toFixed(2)} dB (oracle-e2e ${db(ref.summary.medianSnrZ)} dB)`;
        if (met !== undefined) met = met && gap <= c.gapDb!;
      }
      let notJudged = judged ? undefined : `targets are for ${TARGET_COUNT} signals`;
      if (c.judgedIn !== undefined) {
        const start = invert(model, c.method, 1, c.flags).wallSeconds;
        details.oneSignalWallSeconds = start;
        met = undefined;
        notJudged = `judged in the app, ${c.judgedIn}: the command alone, on one signal, takes ${start.toFixed(2)} s`;
      }
      rows.push({
        id: c.id,
        what: c.what,
        count,
        target,
        measured: `${run.wallSeconds.toFixed(2)} s (job ${run.jobSeconds.toFixed(2)} s), ${pct(ours.summary.successRate)} recovered, SNR(z) ${db(ours.summary.medianSnrZ)} dB${extra}; ${stops(ours.summary.stopReasons)}`,
        met,
        ...(notJudged !== undefined ? { notJudged } : {}),
        details,
      });
    }
    if (cases.includes('oracle-app')) rows.push(await benchAppOracle(seed, count, workers));
    if (cases.includes('lp-one')) rows.push(await benchOneSignal(seed, oneCount, workers));
    const peersWhy = cases.includes('lp-peer') || cases.includes('gd') ? peersUnavailableReason() : undefined;
    if (cases.includes('lp-peer')) {
      const run = lpClean.get(count) ?? invert(MNIST, 'lp', count);
      rows.push(peerRow('lp-peer', 'LP vs the PyTorch LP peer', mnist, count, seed, run, peersWhy, workers));
    }
    if (cases.includes('gd')) {
      console.log(`targets: gd, ${gdCount} signals × 10,000 iterations, ${workers} worker(s) (minutes) …`);
      const run = invert(MNIST, 'gd', gdCount);
      rows.push(peerRow('gd', 'GD, 10,000 iterations', mnist, gdCount, seed, run, peersWhy, workers));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  console.log(
    `\nissue 12's targets, mnist-fc-gan.onnx unless stated, ${workers} worker(s) on ${availableParallelism()} cores; times are the CLI's wall clock, or the app's jobs host where it says so:`,
  );
  const header = ['case', 'signals', 'target', 'measured', 'met'];
  const cells = rows.map((r) => [
    r.what,
    String(r.count),
    r.target,
    r.measured,
    r.met === undefined ? `— (not judged: ${r.notJudged})` : r.met ? 'met' : 'NOT MET',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i])).join('  ');
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n');
  writeFileSync(
    join(resultsDir, 'targets.json'),
    JSON.stringify(
      {
        ...machine,
        model: 'mnist-fc-gan.onnx',
        cores: availableParallelism(),
        workers,
        seed,
        count,
        // null: not judged (JSON would drop an undefined).
        rows: rows.map((r) => ({ ...r, met: r.met ?? null })),
      },
      null,
      2,
    ) + '\n',
  );
}

/** Timed runs of `oracle-app` after the one that starts the pool. */
const APP_RUNS = 5;
/** Warm-up clicks of `lp-one` after the first (the workers' code compiles as they solve). */
const ONE_WARM_UP = 3;
/** How long `lp-one`'s user reads the step before the first click, its threads starting meanwhile. */
const PREPARED_READ_MS = 2000;

/**
 * The app's jobs host (src/main/services/jobs/host.ts) in this process, with the bundled
 * models in a fresh workspace: what the app's Run button calls. `run` starts an invert job and
 * resolves, with its time from the call to its last event (done), once the run is done: its
 * chunks computed on the host's worker pool, saved, merged and its result.json written.
 */
async function appHost(workers: number) {
  const workspace = mkdtempSync(join(tmpdir(), 'pl-bench-app-'));
  const store = new ModelStore({ workspace, bundledDir: join(root, 'resources', 'models') });
  const events = createEventHub();
  const jobs = new JobHost({ workspace, store, events });
  await jobs.setWorkers(workers);
  const finished = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  events.subscribe((name, e) => {
    if (name !== 'run-progress') return;
    const p = e as RunProgressEvent;
    if (['queued', 'running'].includes(p.state)) return;
    if (p.state !== 'done') throw new Error(`bench: run ${p.id} ended ${p.state}`);
    finished.set(p.id, performance.now());
    waiting.get(p.id)?.();
  });
  const run = async (spec: Record<string, unknown>) => {
    const t0 = performance.now();
    const started = await jobs.start({ kind: 'invert', model: `bundled:${MNIST_FILE}`, ...spec });
    if (!started.ok) throw new Error(`bench: ${started.error.message}`);
    const { id } = started.value;
    if (!finished.has(id)) await new Promise<void>((resolve) => waiting.set(id, resolve));
    const detail = await jobs.get(id);
    if (!detail.ok) throw new Error(`bench: ${detail.error.message}`);
    return { ms: finished.get(id)! - t0, result: (detail.value as { result?: unknown }).result as InvertReport };
  };
  const close = async () => {
    await jobs.close();
    rmSync(workspace, { recursive: true, force: true });
  };
  /** What the wizard does as a step that runs opens: the host starts the model's threads. */
  const prepare = async () => {
    const r = await jobs.prepare(`bundled:${MNIST_FILE}`);
    if (!r.ok) throw new Error(`bench: ${r.error.message}`);
  };
  return { run, close, prepare };
}

/**
 * The Oracle's 512 signals as the app runs them: Run again on the jobs host, whose worker
 * pool is kept from the run before (poolKeeper.ts) — the median of five runs, after the one
 * that started the pool (reported beside it). The CLI row above times the same job with the
 * command's start (Node, the model's parse, the threads), which alone takes ~0.35 s here.
 */
async function benchAppOracle(seed: number, count: number, workers: number): Promise<TargetRow> {
  console.log(`targets: oracle-app, ${count} signals, Run in the app's jobs host (${workers} worker(s)) …`);
  const host = await appHost(workers);
  const spec = { methods: ['oracle'], count, seed };
  const timed: number[] = [];
  let first: number;
  let success = Number.NaN;
  try {
    first = (await host.run(spec)).ms;
    for (let i = 0; i < APP_RUNS; i++) {
      const r = await host.run(spec);
      timed.push(r.ms);
      success = r.result.methods.oracle!.summary.successRate;
    }
  } finally {
    await host.close();
  }
  const sorted = [...timed].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5) / 1000;
  const judged = count === TARGET_COUNT;
  return {
    id: 'oracle-app',
    what: 'Oracle, clean, Run in the app',
    count,
    target: '≤ 0.5 s',
    measured: `median ${median.toFixed(2)} s (${(sorted[0] / 1000).toFixed(2)}–${(sorted[sorted.length - 1] / 1000).toFixed(2)} s over ${APP_RUNS} runs on the kept pool; the first, starting it, ${(first / 1000).toFixed(2)} s), ${pct(success)} recovered`,
    met: judged ? median <= 0.5 : undefined,
    ...(judged ? {} : { notJudged: `targets are for ${TARGET_COUNT} signals` }),
    details: {
      how: "the jobs host's start → its run's done event, on the pool kept from the run before",
      runsMs: timed,
      firstMs: first,
      medianSeconds: median,
      successRate: success,
    },
  };
}

/**
 * The wizard's click: a one-signal LP run on the app's jobs host, from the call to its done
 * event, each a different signal, on the pool kept from the clicks before — after a first click
 * (reported: the step opened, prepareRuns started the threads, the user read it for
 * PREPARED_READ_MS) and ONE_WARM_UP more. Beside it, the LP solve's own time in the run.
 */
async function benchOneSignal(seed: number, n: number, workers: number): Promise<TargetRow> {
  console.log(`targets: lp-one, ${n} one-signal LP runs in the app's jobs host …`);
  const host = await appHost(workers);
  const click = (k: number) => host.run({ methods: ['lp'], count: 1, chunkSize: 1, seed: seed + k });
  const whole: number[] = [];
  const solve: number[] = [];
  let recovered = 0;
  let first: number;
  try {
    // The step opens (prepareRuns), the user reads it for PREPARED_READ_MS, then clicks.
    await host.prepare();
    await new Promise((resolve) => setTimeout(resolve, PREPARED_READ_MS));
    first = (await click(n)).ms;
    for (let k = n + 1; k <= n + ONE_WARM_UP; k++) await click(k);
    for (let k = 0; k < n; k++) {
      const { ms, result } = await click(k);
      whole.push(ms);
      const lp = result.methods.lp!;
      solve.push(1000 * lp.seconds);
      if (lp.signals[0].relErrZ < THRESHOLD) recovered++;
    }
  } finally {
    await host.close();
  }
  whole.sort((a, b) => a - b);
  solve.sort((a, b) => a - b);
  const [p50, p90] = [quantile(whole, 0.5), quantile(whole, 0.9)];
  return {
    id: 'lp-one',
    what: 'LP, one signal (the click)',
    count: 1,
    target: '≤ 50 ms',
    measured: `median ${p50.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms over ${n} runs in the app (solve alone: median ${quantile(solve, 0.5).toFixed(1)} ms), ${recovered}/${n} recovered; the first click, ${PREPARED_READ_MS / 1000} s after the step opened, ${first.toFixed(0)} ms`,
    met: p50 <= 50,
    details: {
      how: "one-signal runs on the jobs host: its start → the run's done event, on the kept pool",
      signals: n,
      medianMs: p50,
      p90Ms: p90,
      solveMedianMs: quantile(solve, 0.5),
      solveP90Ms: quantile(solve, 0.9),
      firstMs: first,
      firstAfterMs: PREPARED_READ_MS,
      recovered,
    },
  };
}

/** Ours (the CLI run given) against the PyTorch peer of the same method on the same latents. */
function peerRow(
  id: 'lp-peer' | 'gd',
  what: string,
  gen: Net,
  count: number,
  seed: number,
  run: CliRun,
  why: string | undefined,
  workers: number,
): TargetRow {
  const method: MethodId = id === 'gd' ? 'gd' : 'lp';
  const ours = run.report.methods[method]!;
  const details: Record<string, unknown> = {
    command: `pursuit-lab invert mnist-fc-gan.onnx --method ${method} --count ${count} --workers ${workers}`,
    wallSeconds: run.wallSeconds,
    jobSeconds: run.jobSeconds,
    successRate: ours.summary.successRate,
    medianSnrZ: ours.summary.medianSnrZ,
    stopReasons: ours.summary.stopReasons,
  };
  const oursText = `ours ${run.wallSeconds.toFixed(2)} s, ${pct(ours.summary.successRate)} recovered`;
  const target = id === 'gd' ? '≤ 300 s and faster than the PyTorch GD peer' : '≥ 20× faster than the PyTorch LP peer';
  if (why !== undefined) {
    console.log(`${id}: peer skipped: ${why}`);
    return {
      id,
      what,
      count,
      target,
      measured: `${oursText}; peer skipped`,
      met: undefined,
      notJudged: 'the peer could not run',
      details: { ...details, peer: why },
    };
  }
  const folder = mkdtempSync(join(tmpdir(), 'pl-bench-targets-peer-'));
  try {
    // The CLI's latents: signal i drawn alone from its signal seed.
    const z = signalLatents(gen.inputDim, seed, 0, count);
    writeProblem(folder, gen, z);
    console.log(`targets: ${id}, the PyTorch peer on the same ${count} signals …`);
    const peer =
      id === 'gd'
        ? runPeer(folder, 'gd.py', ['--optimizer', 'sgd', '--iterations', '10000'], 'zhat_sgd.npy')
        : runPeer(folder, 'latent_pursuit.py', [], 'zhat_lp.npy');
    const peerSeconds = peer.info.seconds as number;
    let ok = 0;
    for (let j = 0; j < count; j++) {
      const col = (m: { rows: number; cols: number; data: Float64Array }) =>
        Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
      if (relativeError(col(peer.result), col(z)) < THRESHOLD) ok++;
    }
    const ratio = peerSeconds / run.wallSeconds;
    // GD's 300 s is for 512 signals; its comparison with the peer (like LP's) holds at any count.
    let met: boolean | undefined;
    if (id === 'lp-peer') met = ratio >= 20;
    else if (!(ratio > 1)) met = false;
    else met = count === TARGET_COUNT ? run.wallSeconds <= 300 : undefined;
    return {
      id,
      what,
      count,
      target,
      measured: `${oursText}; peer ${peerSeconds.toFixed(2)} s, ${pct(ok / count)} recovered; peer/ours ${ratio.toFixed(2)}×`,
      met,
      ...(met === undefined ? { notJudged: `faster than the peer, but 300 s is for ${TARGET_COUNT} signals` } : {}),
      details: { ...details, peerSeconds, peerSuccessRate: ok / count, peerOverOurs: ratio, peer: peer.info },
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
