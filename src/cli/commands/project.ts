import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { checkJobModel, normalizeJobSpec, type JobSpec } from '../../core/experiments/jobs';
import type { ProjectResult } from '../../core/experiments/project';
import { imageOffRange, projectInputFields } from '../../core/experiments/projectInput';
import { formatBytes } from '../../core/formats/budget';
import {
  encodeGrayPng,
  pixelRange,
  readMaskImage,
  readSignalInput,
  SignalInputError,
  squareSide,
  type SignalInput,
} from '../../core/formats/signalInput';
import { METHOD_IDS, type MethodId } from '../../core/pursuit/types';
import { sha256Of } from '../../main/services/jobs/engine';
import { parseArgs } from '../args';
import { InputError, UsageError, type CliIo } from '../io';
import { createAndExecuteJob, DEFAULT_WORKSPACE, loadJobModel, parseWorkers, resolveModelArg } from '../jobRun';
import { checkWritable, formatTable } from '../output';
import { reportDone } from './experiment';

/**
 * Largest signal or mask file read: 256 MiB. A generator's image or a batch
 * of its signals is far smaller (the decoded signals are capped at 4 M
 * values, signalInput.ts); this stops a wrong file before it is read whole.
 */
export const MAX_INPUT_FILE_BYTES = 256 * 1024 * 1024;

/** Signals shown in the summary table; the rest are in result.json. */
const TABLE_SIGNALS = 20;

import { projectUsage } from '../usage';

export { projectUsage, imageOffRange };

async function readInputFile(path: string, flag: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`${flag}${path}: it is a folder, not a file`);
    if (info.size > MAX_INPUT_FILE_BYTES)
      throw new InputError(
        `${flag}${path}: the file is ${formatBytes(info.size)}, over the limit of ${formatBytes(MAX_INPUT_FILE_BYTES)} for a signal file`,
      );
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${flag}${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function parseRange(text: string | true | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const parts = String(text).split(',');
  const [lo, hi] = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  if (parts.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || lo === hi)
    throw new UsageError(`--range must be LO,HI, two different numbers (e.g. --range 0,1), got "${String(text)}"`);
  return [lo, hi];
}

function parseMethods(text: string | true | undefined): MethodId[] | undefined {
  if (text === undefined) return undefined;
  const methods = String(text)
    .split(',')
    .map((m) => m.trim());
  const bad = methods.find((m) => !METHOD_IDS.includes(m as MethodId));
  if (bad !== undefined) throw new UsageError(`--method: unknown method "${bad}" (known: ${METHOD_IDS.join(', ')})`);
  return methods as MethodId[];
}

const sig = (v: number) => (v === 0 ? '0' : v.toPrecision(2));

/** The per-signal, per-method table, and one verdict line per signal. */
export function projectSummary(result: ProjectResult): string {
  const shown = result.signals.slice(0, TABLE_SIGNALS);
  const masked = result.settings.hidden > 0;
  const rows = shown.flatMap((s) =>
    (Object.keys(s.methods) as MethodId[]).map((m) => {
      const f = s.methods[m]!;
      return [
        String(s.index),
        m + (m === s.best ? ' *' : ''),
        sig(f.relativeResidual),
        f.onRange ? 'yes' : 'no',
        f.certificate === undefined ? '–' : f.certificate.certified ? 'Theorem 1' : 'no',
        ...(masked ? [sig(f.hiddenRelativeError ?? Number.NaN)] : []),
        String(f.saturated),
        f.stopReason,
        String(f.iterations),
      ];
    }),
  );
  const table = formatTable(
    [
      'signal',
      'method',
      'rel. residual',
      'on range',
      'certificate',
      ...(masked ? ['hidden rel. err'] : []),
      'saturated',
      'stop',
      'iterations',
    ],
    rows,
    [true, false, true, false, false, ...(masked ? [true] : []), true, false, true],
  );
  const more = result.signals.length - shown.length;
  return (
    table +
    '* best fit (smallest relative residual)\n' +
    shown.map((s) => `signal ${s.index}: ${s.verdict}\n`).join('') +
    (more > 0 ? `… ${more} more signal(s) in result.json\n` : '')
  );
}

export async function project(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {
    valued: ['mask', 'method', 'methods', 'range', 'seed', 'off-range', 'workers', 'workspace', 'json', 'out'],
  });
  if (args.positionals.length !== 2) throw new UsageError(`project takes a model and an input file\n\n${projectUsage}`);
  const [modelArg, inputArg] = args.positionals;
  if (args.flags.has('method') && args.flags.has('methods')) throw new UsageError('give --method once');
  const methods = parseMethods(args.flags.get('method') ?? args.flags.get('methods'));
  const range = parseRange(args.flags.get('range'));
  const workers = parseWorkers(args.flags.get('workers'));
  const seedText = args.flags.get('seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0))
    throw new UsageError(`--seed must be an integer ≥ 0, got "${String(seedText)}"`);
  const offText = args.flags.get('off-range');
  const offRange = offText === undefined ? undefined : Number(offText);
  if (offRange !== undefined && !(Number.isFinite(offRange) && offRange >= 0))
    throw new UsageError(`--off-range must be a number ≥ 0, got "${String(offText)}"`);
  const workspace = resolve(String(args.flags.get('workspace') ?? DEFAULT_WORKSPACE));
  await checkWritable(args.flags.get('json'), '--json');

  const modelSource = resolveModelArg(modelArg);
  const loaded = await loadJobModel(modelSource, process.cwd());
  const { generator } = loaded;
  const n = generator.layers[generator.layers.length - 1].W.rows;
  const outArg = args.flags.get('out');
  const outDir = typeof outArg === 'string' ? resolve(outArg) : undefined;
  if (outDir !== undefined) {
    if (squareSide(n) === undefined)
      throw new InputError(`--out writes images, but the model's output (n = ${n}) is not a square image`);
    try {
      await mkdir(outDir, { recursive: true });
    } catch (e) {
      throw new InputError(`--out ${outDir}: cannot create it (${(e as Error).message}); nothing was run`);
    }
  }
  const inputPath = resolve(inputArg);
  const inputBytes = await readInputFile(inputPath, '');
  let input: SignalInput;
  let mask: ReturnType<typeof readMaskImage> | undefined;
  const maskArg = args.flags.get('mask');
  let maskBytes: Uint8Array | undefined;
  try {
    input = readSignalInput(inputBytes, basename(inputPath), {
      n,
      output: generator.output,
      ...(range !== undefined ? { range } : {}),
    });
    if (typeof maskArg === 'string') {
      maskBytes = await readInputFile(resolve(maskArg), '--mask ');
      mask = readMaskImage(
        maskBytes,
        basename(maskArg),
        n,
        input.image !== undefined ? [input.image.width, input.image.height] : undefined,
      );
    }
  } catch (e) {
    if (e instanceof SignalInputError) throw new InputError(e.message);
    throw e;
  }
  const { fields, quantised } = projectInputFields(
    input,
    { file: inputPath, sha256: sha256Of(inputBytes) },
    mask !== undefined && maskBytes !== undefined && typeof maskArg === 'string'
      ? { ...mask, file: { file: resolve(maskArg), sha256: sha256Of(maskBytes) } }
      : undefined,
    offRange,
  );
  const raw = {
    kind: 'project',
    model: modelSource,
    ...(methods !== undefined ? { methods } : {}),
    ...fields,
    ...(seed !== undefined ? { seed } : {}),
  };
  let job: JobSpec;
  try {
    job = normalizeJobSpec(raw);
    checkJobModel(job, generator);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(`${basename(inputPath)}: ${e.message}`);
    throw e;
  }
  if (input.range !== undefined)
    io.err(
      `${basename(inputPath)}: pixels mapped onto [${input.range.lo}, ${input.range.hi}] (${input.range.reason})\n`,
    );
  if (quantised !== undefined)
    io.err(`${basename(inputPath)}: off-range threshold ${quantised.value} (${quantised.reason})\n`);
  if (input.image !== undefined && input.image.resize.method !== 'none')
    io.err(
      `${basename(inputPath)}: resized ${input.image.width}×${input.image.height} → ${input.image.resize.to.join('×')} (${input.image.resize.method})\n`,
    );
  const outcome = await createAndExecuteJob(
    workspace,
    job,
    loaded.model,
    generator,
    workers !== undefined ? { workers } : {},
    io,
  );
  if (typeof outcome === 'number') return outcome;
  const result = outcome.result as ProjectResult;
  await reportDone(job, outcome, args.flags.get('json'), io, projectSummary(result));
  if (outDir !== undefined) {
    // The range the input was read with (an image's), else the one an image would be read with.
    const back = input.range ?? pixelRange(generator.output, range);
    for (const s of result.signals)
      for (const [m, fit] of Object.entries(s.methods)) {
        if (fit === undefined) continue;
        const file = join(outDir, `signal-${s.index}-${m}.png`);
        try {
          await writeFile(file, encodeGrayPng(fit.output, back));
        } catch (e) {
          throw new InputError(`cannot write ${file}: ${(e as Error).message}`);
        }
      }
    io.err(
      `wrote G(ẑ) of ${result.signals.length} signal(s) as PNG to ${outDir} ([${back.lo}, ${back.hi}] → 0 … 65535)\n`,
    );
  }
  return 0;
}
