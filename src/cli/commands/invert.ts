import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { InvertReport } from '../../core/experiments/invert';
import { checkJobModel, normalizeJobSpec, type JobSpec } from '../../core/experiments/jobs';
import { summarizeGenerator } from '../../core/model/summary';
import { parseMeasure, type MeasureSpec } from '../../core/model/measurement';
import { parseMask } from '../../core/model/observation';
import { METHOD_LABELS, type MethodOptions } from '../../core/pursuit/methods';
import { METHOD_IDS, type HybridChoice, type MethodId } from '../../core/pursuit/types';
import { layerDims, type Generator } from '../../core/model/generator';
import { sha256Of, weightsSha256, type JobModel } from '../../main/services/jobs/engine';
import { parseArgs, type ParsedArgs } from '../args';
import { checkMemoryBudget, memoryBudgetFrom, workersWithinBudget } from '../budget';
import { UsageError, type CliIo } from '../io';
import { createAndExecuteJob, DEFAULT_WORKSPACE, parseWorkers } from '../jobRun';
import { loadModelFile, loadModelOrRandom, MODEL_FLAGS } from '../modelFile';
import { checkWritable, formatTable, writeModelReport } from '../output';
import { invertUsage } from '../usage';

/**
 * The model with what a run folder records of it: a random spec as given
 * (checked against the memory budget before its weights are drawn), a file
 * by its absolute path and SHA-256, opened with --arch/--output as given.
 */
async function invertModel(source: string, args: ParsedArgs, count: number): Promise<JobModel & { label: string }> {
  if (source.startsWith('random:')) {
    const { generator } = await loadModelOrRandom(source, args, count);
    return { generator, source, sha256: weightsSha256(generator), label: source };
  }
  const path = resolve(source);
  const { generator, bytes }: { generator: Generator; bytes: Uint8Array } = await loadModelFile(path, args);
  return { generator, source: path, path, sha256: sha256Of(bytes), label: source };
}

function positiveInt(value: string | true | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

function nonNegative(value: string | true | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!(Number.isFinite(x) && x >= 0)) throw new UsageError(`--${name} must be a number ≥ 0, got "${value}"`);
  return x;
}

/** e.g. `lp 60, gd-random 3 (3 polished), gd-from-lp 1 (1 polished)`. */
function hybridPathCounts(signals: readonly { path?: HybridChoice }[]): string {
  const counts = new Map<string, { n: number; polished: number }>();
  for (const s of signals) {
    if (s.path === undefined) continue;
    const c = counts.get(s.path.path) ?? { n: 0, polished: 0 };
    c.n++;
    if (s.path.polished) c.polished++;
    counts.set(s.path.path, c);
  }
  return [...counts]
    .map(([path, c]) => `${path} ${c.n}${c.polished > 0 ? ` (${c.polished} polished by Gauss–Newton)` : ''}`)
    .join(', ');
}

const fmtDb = (v: number) => (v >= 400 ? '≥400' : v.toFixed(1));
/** A quantile of counts: interpolated, so one decimal at most. */
export const fmtCount = (v: number) => String(Math.round(v * 10) / 10);

export async function invert(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {
    valued: [
      'method',
      'count',
      'seed',
      'mask',
      'noise',
      'measure',
      'lambda',
      'max-iterations',
      'restarts',
      'starts',
      'gd-schedule',
      'json',
      'success-threshold',
      'saturation-tolerance',
      'workers',
      'workspace',
      'chunk-size',
      ...MODEL_FLAGS,
    ],
    boolean: ['plain', 'certify'],
  });
  if (args.positionals.length !== 1) throw new UsageError(`invert takes one model\n\n${invertUsage}`);
  const methods = String(args.flags.get('method') ?? 'lp')
    .split(',')
    .map((m) => m.trim());
  for (const m of methods) {
    if (!(METHOD_IDS as readonly string[]).includes(m))
      throw new UsageError(`unknown method "${m}" (known: ${METHOD_IDS.join(', ')})`);
  }
  const count = positiveInt(args.flags.get('count'), 'count', 64);
  const seedText = args.flags.get('seed') ?? '0';
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, got "${seedText}"`);
  let mask;
  try {
    mask = parseMask(String(args.flags.get('mask') ?? 'none'));
  } catch (e) {
    throw new UsageError(`--mask: ${(e as Error).message}`);
  }
  let measure: MeasureSpec;
  try {
    measure = parseMeasure(String(args.flags.get('measure') ?? 'pixels'), seed);
  } catch (e) {
    throw new UsageError(`--measure: ${(e as Error).message}`);
  }
  if (measure.kind === 'gaussian' && mask.kind !== 'none')
    throw new UsageError(
      '--measure gaussian:M and --mask together: a mask is a row selection of the identity, use one or the other',
    );
  const sigma = nonNegative(args.flags.get('noise'), 'noise') ?? 0;
  // `--lambda theorem3`: LBP takes the Theorem 3 rule (a worst-case bound: under noise it is
  // usually so large that every layer comes out empty); LP keeps its default.
  const lambdaText = args.flags.get('lambda');
  const lbpTheorem3 = lambdaText === 'theorem3';
  const lambda = lbpTheorem3 ? undefined : nonNegative(lambdaText, 'lambda');
  const maxIterations = args.flags.has('max-iterations')
    ? positiveInt(args.flags.get('max-iterations'), 'max-iterations', 1)
    : undefined;
  const restarts = positiveInt(args.flags.get('restarts'), 'restarts', 1);
  const startsText = args.flags.get('starts');
  const starts = startsText === undefined ? undefined : Number(startsText);
  if (starts !== undefined && !(Number.isInteger(starts) && starts >= 0))
    throw new UsageError(`--starts must be an integer ≥ 0, got "${String(startsText)}"`);
  const scheduleText = args.flags.get('gd-schedule');
  if (scheduleText !== undefined && scheduleText !== 'step' && scheduleText !== 'geometric')
    throw new UsageError(`--gd-schedule must be step or geometric, got "${String(scheduleText)}"`);
  const schedule = scheduleText as 'step' | 'geometric' | undefined;
  const threshold = nonNegative(args.flags.get('success-threshold'), 'success-threshold') ?? 1e-3;
  const exact = !args.flags.has('plain');
  const saturationTolerance = nonNegative(args.flags.get('saturation-tolerance'), 'saturation-tolerance');
  const workers = parseWorkers(args.flags.get('workers'));
  const chunkSize = args.flags.has('chunk-size')
    ? positiveInt(args.flags.get('chunk-size'), 'chunk-size', 1)
    : undefined;
  const workspace = resolve(String(args.flags.get('workspace') ?? DEFAULT_WORKSPACE));

  const budget = memoryBudgetFrom(args);
  await checkWritable(args.flags.get('json'), '--json');
  // A random spec is checked before its weights are drawn; a file's widths are known once it is read.
  const loaded = await invertModel(args.positionals[0], args, count);
  const { generator, label } = loaded;
  checkMemoryBudget(label, layerDims(generator), count, budget);
  const lpOptions = {
    exact,
    ...(lambda !== undefined ? { lambda } : {}),
    ...(maxIterations ? { maxIterations, maxAdmmIterations: maxIterations } : {}),
  };
  const options: MethodOptions = {
    ...(saturationTolerance !== undefined ? { saturationTolerance } : {}),
    lp: lpOptions,
    lbp: {
      exact,
      ...(lbpTheorem3 ? { lambda: 'theorem3' as const } : lambda !== undefined ? { lambda } : {}),
      ...(maxIterations ? { maxIterations } : {}),
    },
    gd: { restarts, ...(maxIterations ? { maxIterations } : {}), ...(schedule ? { schedule } : {}) },
    adam: { restarts, ...(maxIterations ? { maxIterations } : {}), ...(schedule ? { schedule } : {}) },
    gdClip: { restarts, ...(maxIterations ? { maxIterations } : {}), ...(schedule ? { schedule } : {}) },
    hybrid: {
      lp: lpOptions,
      gd: { ...(maxIterations ? { maxIterations } : {}), ...(schedule ? { schedule } : {}) },
      ...(starts !== undefined ? { starts } : {}),
    },
  };
  // An invert job: its signals in chunks over the worker pool, each signal drawn from its own
  // seed, so the report is the same bits whatever --workers and --chunk-size.
  const certify = args.flags.has('certify');
  let job: Extract<JobSpec, { kind: 'invert' }>;
  try {
    job = normalizeJobSpec({
      kind: 'invert',
      model: loaded.source,
      methods,
      count,
      seed,
      mask,
      noise: sigma,
      ...(measure.kind === 'gaussian' ? { measure } : {}),
      successThreshold: threshold,
      certify,
      options,
      ...(chunkSize !== undefined ? { chunkSize } : {}),
    }) as Extract<JobSpec, { kind: 'invert' }>;
    checkJobModel(job, generator);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  // Each worker thread holds its own copy of the weights: the budget also bounds how many start.
  const pool = workersWithinBudget(
    label,
    layerDims(generator),
    Math.min(job.chunkSize, count),
    budget,
    workers,
    availableParallelism(),
  );
  if (pool.note !== undefined) io.err(`${pool.note}\n`);
  const outcome = await createAndExecuteJob(workspace, job, loaded, generator, { workers: pool.workers }, io);
  if (typeof outcome === 'number') return outcome;
  const report = outcome.result as InvertReport;
  io.err(`run ${outcome.id}: ${outcome.dir}\n`);

  const summary = summarizeGenerator(generator);
  io.out(
    `${label}: dims ${summary.dims.join(' → ')}, output ${summary.outputLabel}; ${count} signals, seed ${seed}, mask ${args.flags.get('mask') ?? 'none'}, noise σ = ${sigma}${measure.kind === 'gaussian' ? `, measured by A: ${measure.m} × ${summary.dims[summary.dims.length - 1]} Gaussian, seed ${measure.seed}` : ''}\n\n`,
  );
  const rows = methods.map((m) => {
    const r = report.methods[m as MethodId]!;
    const stops = Object.entries(r.summary.stopReasons)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return [
      m,
      METHOD_LABELS[m as MethodId],
      r.seconds.toFixed(2),
      `${(100 * r.summary.successRate).toFixed(1)}%`,
      fmtDb(r.summary.medianSnrZ),
      fmtDb(r.summary.p10SnrZ),
      fmtDb(r.summary.p90SnrZ),
      fmtDb(r.summary.medianSnrImage),
      stops,
    ];
  });
  io.out(
    formatTable(
      ['method', 'name', 'seconds', 'success', 'SNR(z) median', 'p10', 'p90', 'SNR(image) median', 'stop reasons'],
      rows,
      [false, false, true, true, true, true, true, true, false],
    ),
  );
  io.out(`\nsuccess: ‖ẑ − z‖/‖z‖ < ${threshold}; SNR in dB (≥400 means exact to floating point)\n`);
  const sat = report.settings.saturation;
  if (sat !== undefined && sat.pixels.p90 > 0)
    io.out(
      `saturated pixels: median ${fmtCount(sat.pixels.median)} per signal (10–90% ${fmtCount(sat.pixels.p10)}–${fmtCount(sat.pixels.p90)}), within τ = ${sat.tolerance.toExponential(2)} of φ's range: read as bounds p ≥ ${sat.above.toFixed(2)} or p ≤ ${sat.below.toFixed(2)}, not equations\n`,
    );
  if (certify) {
    for (const m of methods) {
      const signals = report.methods[m as MethodId]!.signals;
      const certified = signals.filter((s) => s.certificate?.certified).length;
      io.out(`${m}: ${certified} of ${signals.length} recovered signals certified unique by Theorem 1\n`);
    }
  }
  const hybrid = report.methods.hybrid;
  if (hybrid !== undefined) io.out(`hybrid: winning paths ${hybridPathCounts(hybrid.signals)}\n`);
  const json = args.flags.get('json');
  if (json !== undefined) {
    await writeModelReport(report, summary, label, json, io);
  }
  return 0;
}
