/**
 * `npm run bench -- targets [--count N] [--cases a,b,…] [--workers N] [--seed S] [--gd-count N] [--one N]`:
 * issue 12's speed targets on the bundled MNIST generator (20-128-392-784),
 * each case measured the way a user runs it, and a table of target against
 * measured, met or not. Writes bench/results/targets.json.
 *
 * How each case is timed:
 * - Every case but `oracle-warm` and `lp-one` runs the built CLI, `pursuit-lab invert … --workers N`
 *   (rebuilt first, so it is the current source), and its time is the wall clock
 *   of that process from spawn to exit: Node's start, reading the model, the
 *   worker pool, the solves, the report and the run folder, as a user waits
 *   for them. The job's own span (status.json, started → finished) is recorded
 *   beside it to show the start-up's share.
 * - `oracle-warm` (not judged) times the Oracle's job on a worker pool that is
 *   already started and has run it once: the solves without the command's start.
 * - `lp-one` is the wizard's click on one signal: the app's Run button starts
 *   the same invert job over an already running worker pool, so this case times
 *   in one warmed-up process what a worker does for it — `invertChunk` of a
 *   one-signal chunk (draw, solve, measure) with the job's own spec — over
 *   `--one` different signals (default 30), median and p90, beside the LP solve
 *   alone. (The reconstruct step's click on a signal solves nothing: it redraws
 *   the signal from the recorded ẑ by forward passes, core/experiments/reconstruct.ts.)
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
import { invertChunk, type InvertReport } from '../src/core/experiments/invert';
import { chunkCount, normalizeJobSpec } from '../src/core/experiments/jobs';
import { signalLatents } from '../src/core/experiments/signalDraws';
import { openModel } from '../src/core/formats/index';
import { relativeError } from '../src/core/metrics';
import type { Generator as Net } from '../src/core/model/generator';
import { prepare } from '../src/core/pursuit/prepared';
import type { MethodId } from '../src/core/pursuit/types';
import { WorkerPool } from '../src/main/services/jobs/pool';
import { peersUnavailableReason, runPeer, writeProblem } from './peers';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'pursuit-lab.mjs');
const MNIST = join(root, 'resources', 'models', 'mnist-fc-gan.onnx');
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
}

const CLI_CASES: readonly CliCase[] = [
  { id: 'lp', what: 'LP, clean', method: 'lp', seconds: 5, reference: 'oracle' },
  { id: 'lbp', what: 'LBP, clean', method: 'lbp', seconds: 3, reference: 'oracle' },
  { id: 'oracle', what: 'Oracle, clean', method: 'oracle', seconds: 0.5 },
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
const ALL_CASES = [...CLI_CASES.map((c) => c.id), 'oracle-warm', 'lp-one', 'lp-peer', 'gd'];
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
      rows.push({
        id: c.id,
        what: c.what,
        count,
        target,
        measured: `${run.wallSeconds.toFixed(2)} s (job ${run.jobSeconds.toFixed(2)} s), ${pct(ours.summary.successRate)} recovered, SNR(z) ${db(ours.summary.medianSnrZ)} dB${extra}; ${stops(ours.summary.stopReasons)}`,
        met,
        ...(judged ? {} : { notJudged: `targets are for ${TARGET_COUNT} signals` }),
        details,
      });
    }
    if (cases.includes('oracle-warm')) rows.push(await benchWarmPool(mnist, seed, count, workers));
    if (cases.includes('lp-one')) rows.push(benchOneSignal(mnist, seed, oneCount));
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
    `\nissue 12's targets, mnist-fc-gan.onnx unless stated, ${workers} worker(s) on ${availableParallelism()} cores; times are the CLI's wall clock:`,
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

/** Timed passes of `oracle-warm` after its warm-up pass. */
const WARM_PASSES = 5;

/**
 * The Oracle's solves without the command's start: the job's chunks on a
 * worker pool that is already started and has run the same job once (loaded
 * code, prepared layers, compiled functions). Not judged — the target is the
 * CLI's wall clock — but it shows what the issue's owner would weigh in
 * choosing how that target is measured: the median of five passes.
 */
async function benchWarmPool(gen: Net, seed: number, count: number, workers: number): Promise<TargetRow> {
  console.log(`targets: oracle-warm, ${count} signals on a started pool of ${workers} worker(s) …`);
  const job = normalizeJobSpec({ kind: 'invert', model: MNIST, methods: ['oracle'], count, seed });
  const chunks = chunkCount(job);
  const pool = new WorkerPool(workers, gen);
  const pass = async () => {
    const queue = Array.from({ length: chunks }, (_, k) => k);
    const t0 = performance.now();
    const loop = async (slot: number) => {
      for (let k = queue.shift(); k !== undefined; k = queue.shift()) {
        const outcome = await pool.run(slot, job, k);
        if (!outcome.ok) throw new Error(`oracle-warm: chunk ${k} failed: ${outcome.message}`);
      }
    };
    await Promise.all(Array.from({ length: workers }, (_, slot) => loop(slot)));
    return (performance.now() - t0) / 1000;
  };
  let first: number;
  const timed: number[] = [];
  try {
    first = await pass();
    for (let i = 0; i < WARM_PASSES; i++) timed.push(await pass());
  } finally {
    await pool.close();
  }
  const sorted = [...timed].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return {
    id: 'oracle-warm',
    what: 'Oracle, clean, on a warm pool',
    count,
    target: '(the ≤ 0.5 s above is the CLI wall)',
    measured: `median ${median.toFixed(2)} s (${sorted[0].toFixed(2)}–${sorted[sorted.length - 1].toFixed(2)} s over ${WARM_PASSES} passes; the first, starting the pool, ${first.toFixed(2)} s)`,
    met: undefined,
    notJudged: 'the solves without the command’s start',
    details: { how: 'the invert job’s chunks on a started pool that has run them once', passes: timed, first, median },
  };
}

/**
 * The wizard's click: one-signal chunks of an invert job, each a different
 * signal, in this process after a warm-up (a pool's worker has the model and
 * its prepared layers loaded before the click).
 */
function benchOneSignal(gen: Net, seed: number, n: number): TargetRow {
  console.log(`targets: lp-one, ${n} one-signal LP solves in one process …`);
  const spec = normalizeJobSpec({
    kind: 'invert',
    model: MNIST,
    methods: ['lp'],
    count: n + 3,
    seed,
    chunkSize: 1,
    options: { lp: { exact: true } },
  }) as Parameters<typeof invertChunk>[1];
  const now = () => performance.now();
  const chunk = (k: number) => {
    const steps = invertChunk(gen, spec, k, now);
    let next = steps.next();
    while (!next.done) next = steps.next();
    return next.value;
  };
  prepare(gen);
  // Warm-up: signals n … n + 2, so the timed ones start with the JIT and the kernels ready.
  for (let k = n; k < n + 3; k++) chunk(k);
  const whole: number[] = [];
  const solve: number[] = [];
  let recovered = 0;
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    const block = chunk(k);
    whole.push(performance.now() - t0);
    const lp = block.methods.lp!;
    solve.push(1000 * lp.seconds);
    if (lp.signals[0].relErrZ < THRESHOLD) recovered++;
  }
  whole.sort((a, b) => a - b);
  solve.sort((a, b) => a - b);
  const [p50, p90] = [quantile(whole, 0.5), quantile(whole, 0.9)];
  return {
    id: 'lp-one',
    what: 'LP, one signal (the click)',
    count: 1,
    target: '≤ 50 ms',
    measured: `median ${p50.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms over ${n} signals (solve alone: median ${quantile(solve, 0.5).toFixed(1)} ms, p90 ${quantile(solve, 0.9).toFixed(1)} ms), ${recovered}/${n} recovered`,
    met: p50 <= 50,
    details: {
      how: "invertChunk of one-signal chunks (the job's draw, solve and measurement) in one warmed-up process",
      signals: n,
      medianMs: p50,
      p90Ms: p90,
      solveMedianMs: quantile(solve, 0.5),
      solveP90Ms: quantile(solve, 0.9),
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
