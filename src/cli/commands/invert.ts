import { invertExperiment, type InvertReport, type InvertSpec } from '../../core/experiments/invert';
import { summarizeGenerator } from '../../core/model/summary';
import { parseMask, type NoiseSpec } from '../../core/model/observation';
import { METHOD_LABELS } from '../../core/pursuit/methods';
import { METHOD_IDS, type HybridChoice, type MethodId } from '../../core/pursuit/types';
import { layerDims } from '../../core/model/generator';
import { parseArgs } from '../args';
import { checkMemoryBudget, memoryBudgetFrom } from '../budget';
import { UsageError, type CliIo } from '../io';
import { loadModelOrRandom, MODEL_FLAGS } from '../modelFile';
import { checkWritable, formatTable, progressPrinter, writeModelReport } from '../output';
import { invertUsage } from '../usage';

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

export async function invert(argv: readonly string[], io: CliIo, now: () => number = Date.now): Promise<number> {
  const args = parseArgs(argv, {
    valued: [
      'method',
      'count',
      'seed',
      'mask',
      'noise',
      'lambda',
      'max-iterations',
      'restarts',
      'starts',
      'gd-schedule',
      'json',
      'success-threshold',
      'saturation-tolerance',
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
  const sigma = nonNegative(args.flags.get('noise'), 'noise') ?? 0;
  const noise: NoiseSpec = sigma > 0 ? { kind: 'gaussian', sigma } : { kind: 'none' };
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

  const budget = memoryBudgetFrom(args);
  await checkWritable(args.flags.get('json'), '--json');
  // A random spec is checked before its weights are drawn; a file's widths are known once it is read.
  const { generator, label } = await loadModelOrRandom(args.positionals[0], args, count);
  checkMemoryBudget(label, layerDims(generator), count, budget);
  const lpOptions = {
    exact,
    ...(lambda !== undefined ? { lambda } : {}),
    ...(maxIterations ? { maxIterations, maxAdmmIterations: maxIterations } : {}),
  };
  const spec: InvertSpec = {
    methods: methods as MethodId[],
    count,
    seed,
    mask,
    noise,
    successThreshold: threshold,
    certify: args.flags.has('certify'),
    options: {
      ...(saturationTolerance !== undefined ? { saturationTolerance } : {}),
      lp: lpOptions,
      lbp: {
        exact,
        ...(lbpTheorem3 ? { lambda: 'theorem3' as const } : lambda !== undefined ? { lambda } : {}),
        ...(maxIterations ? { maxIterations } : {}),
      },
      gd: { restarts, ...(maxIterations ? { maxIterations } : {}), ...(schedule ? { schedule } : {}) },
      adam: { restarts, ...(maxIterations ? { maxIterations } : {}), ...(schedule ? { schedule } : {}) },
      hybrid: {
        lp: lpOptions,
        gd: { ...(maxIterations ? { maxIterations } : {}), ...(schedule ? { schedule } : {}) },
        ...(starts !== undefined ? { starts } : {}),
      },
    },
  };

  const progress = progressPrinter(io, now);
  let report: InvertReport;
  try {
    const steps = invertExperiment(generator, spec, now);
    let next = steps.next();
    while (!next.done) {
      const p = next.value;
      progress.update(() => `${p.method} (${p.index + 1}/${methods.length}): ${(100 * p.fraction).toFixed(0)}%`);
      next = steps.next();
    }
    report = next.value;
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }

  const summary = summarizeGenerator(generator);
  io.out(
    `${label}: dims ${summary.dims.join(' → ')}, output ${summary.outputLabel}; ${count} signals, seed ${seed}, mask ${args.flags.get('mask') ?? 'none'}, noise σ = ${sigma}\n\n`,
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
  if (spec.certify) {
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
