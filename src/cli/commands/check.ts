import { createCheck, type CheckReport } from '../../core/experiments/check';
import { summarizeGenerator } from '../../core/model/summary';
import { layerDims } from '../../core/model/generator';
import { parseArgs } from '../args';
import { checkMemoryBudget, memoryBudgetFrom } from '../budget';
import { UsageError, type CliIo } from '../io';
import { loadModelOrRandom, MODEL_FLAGS } from '../modelFile';
import { fmtCount } from './invert';
import { checkWritable, formatTable, progressPrinter, writeModelReport } from '../output';
import { checkUsage } from '../usage';

const pct = (f: number) => `${(100 * f).toFixed(1)}%`;

export async function check(argv: readonly string[], io: CliIo, now: () => number = Date.now): Promise<number> {
  const args = parseArgs(argv, {
    valued: ['samples', 'seed', 'noise', 'json', 'saturation-tolerance', ...MODEL_FLAGS],
  });
  if (args.positionals.length !== 1) throw new UsageError(`check takes one model\n\n${checkUsage}`);
  const samples = Number(args.flags.get('samples') ?? 256);
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= 100_000))
    throw new UsageError(`--samples must be an integer from 1 to 100000, got "${args.flags.get('samples')}"`);
  const seed = Number(args.flags.get('seed') ?? 0);
  if (!(Number.isSafeInteger(seed) && seed >= 0))
    throw new UsageError(`--seed must be a non-negative integer, got "${args.flags.get('seed')}"`);
  const noise = Number(args.flags.get('noise') ?? 0);
  if (!(Number.isFinite(noise) && noise >= 0))
    throw new UsageError(`--noise must be a number ≥ 0, got "${args.flags.get('noise')}"`);
  const budget = memoryBudgetFrom(args);
  await checkWritable(args.flags.get('json'), '--json');
  const { generator, label } = await loadModelOrRandom(args.positionals[0], args, samples);
  checkMemoryBudget(label, layerDims(generator), samples, budget);

  const tauText = args.flags.get('saturation-tolerance');
  const saturationTolerance = tauText === undefined ? undefined : Number(tauText);
  if (saturationTolerance !== undefined && !(Number.isFinite(saturationTolerance) && saturationTolerance > 0))
    throw new UsageError(`--saturation-tolerance must be a number > 0, got "${tauText}"`);
  let stepper;
  try {
    stepper = createCheck(generator, { samples, seed, noise, saturationTolerance });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  const progress = progressPrinter(io, now);
  try {
    while (stepper.done < stepper.total) {
      stepper.step();
      progress.update(() => `check: ${stepper.done} / ${stepper.total} samples`);
    }
  } finally {
    progress.done();
  }
  const report: CheckReport = stepper.result('completed');
  const summary = summarizeGenerator(generator);
  io.out(
    `${label}: dims ${summary.dims.join(' → ')}, output ${summary.outputLabel}; ${samples} samples, seed ${seed}\n\n`,
  );
  const rows = report.layers.map((l) => [
    `x${l.index}`,
    String(l.n),
    String(l.sparsity.median),
    `${l.sparsity.p10}–${l.sparsity.p90}`,
    l.coherence.toFixed(3),
    l.sparkLowerBound === null ? '∞' : l.sparkLowerBound.toFixed(1),
    pct(l.theorem1.passFraction),
    pct(l.theorem2.passFraction),
    `${pct(l.theorem3.passFraction)} (s < ${l.theorem3.threshold.toFixed(2)})`,
    ...(noise > 0 ? [l.errorBound!.toExponential(2)] : []),
  ]);
  io.out(
    formatTable(
      [
        'layer',
        'n_i',
        's_i median',
        's_i 10–90%',
        'μ(W_i^S)',
        'spark ≥',
        'Theorem 1',
        'Theorem 2',
        'Theorem 3',
        ...(noise > 0 ? ['ε_i bound'] : []),
      ],
      rows,
      [false, true, true, true, true, true, true, true, false, true],
    ),
  );
  const t = report.theorems;
  io.out(
    `\nall layers: Theorem 1 ${pct(t.theorem1.passFraction)}, Theorem 2 ${pct(t.theorem2.passFraction)}, Theorem 3 ${pct(t.theorem3.passFraction)}\n`,
  );
  if (report.zErrorBound !== undefined)
    io.out(`Theorem 3 bound on ‖ẑ − z‖ at σ = ${noise}: ${report.zErrorBound.toExponential(2)} (median)\n`);
  const sat = report.saturation;
  if (sat.fraction > 0)
    io.out(
      `saturated output pixels: median ${fmtCount(sat.pixels.median)} per sample (10–90% ${fmtCount(sat.pixels.p10)}–${fmtCount(sat.pixels.p90)}), ${(100 * sat.fraction).toFixed(1)}% of all; within τ = ${sat.tolerance.toExponential(2)} of φ's range, they bound their pre-activation from one side and carry no equation\n`,
    );
  io.out(`\nverdict: ${report.verdict}\n`);
  const json = args.flags.get('json');
  if (json !== undefined) {
    await writeModelReport(report, summary, label, json, io);
  }
  return 0;
}
