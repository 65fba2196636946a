import type { SensingResult } from '../../core/experiments/sensing';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkJobModel, normalizeJobSpec, type JobReport, type JobSpec } from '../../core/experiments/jobs';
import type { CheckReport } from '../../core/experiments/check';
import type { InvertReport } from '../../core/experiments/invert';
import type { NoiseResult } from '../../core/experiments/noise';
import type { ProjectResult } from '../../core/experiments/project';
import type { SweepResult } from '../../core/experiments/sweep';
import type { TrainedResult } from '../../core/experiments/trained';
import { PRESETS, presetSpec as corePresetSpec, type Preset, type PresetOptions } from '../../shared/presets';
import { METHOD_IDS, type MethodId } from '../../core/pursuit/types';
import type { Generator } from '../../core/model/generator';
import {
  createRun,
  executeRun,
  gatherRuns,
  jobRunId,
  readRunSpec,
  RunRefusedError,
  type RunOutcome,
  type Shard,
} from '../../main/services/jobs/engine';
import { isRunId } from '../../main/services/jobs/runs';
import { parseArgs } from '../args';
import { InputError, UsageError, type CliIo } from '../io';
import { executeJob, loadJobModel, parseWorkers, resolveModelArg } from '../jobRun';
import { DEFAULT_WORKSPACE, experimentUsage } from '../usage';
import { checkWritable, writeJsonOutput } from '../output';

export { DEFAULT_WORKSPACE } from '../usage';

export { experimentUsage } from '../usage';

async function readSpecFile(path: string): Promise<JobSpec> {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let raw;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(`${path}: not JSON (${(e as Error).message})`);
  }
  try {
    return normalizeJobSpec(raw);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * The bundled model, in resources/ at the repository root: found upward from this module,
 * which is src/cli/commands/experiment.ts from source and a chunk of out/cli/ when built.
 */
function bundledModel(): string {
  const relative = 'resources/models/mnist-fc-gan.onnx';
  const start = fileURLToPath(new URL('.', import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) return resolve(start, '../../..', relative);
  }
}

/** A preset's raw spec, fig3 and noise on the bundled model unless --model says otherwise. */
export function presetSpec(preset: Preset, flags: PresetOptions): Record<string, unknown> {
  try {
    return corePresetSpec(
      preset,
      preset === 'fig2' || preset === 'cs' ? flags : { ...flags, model: flags.model ?? bundledModel() },
    );
  } catch (e) {
    if (e instanceof RangeError)
      throw new UsageError(
        e.message.replace('takes no model', 'takes no --model').replace('the paper protocol', '--paper-protocol'),
      );
    throw e;
  }
}

function summaryLines(job: JobSpec, result: JobReport): string {
  if (job.kind === 'sweep') {
    const r = result as SweepResult;
    return r.points
      .map(
        (p) =>
          `n0 ${p.n0}, n1 ${p.n1}: median s1 ${p.medianS1}, Theorem 2 ${(100 * p.theorem2.passFraction).toFixed(0)}%; ` +
          job.methods.map((m) => `${m} ${(100 * p.methods[m]!.successRate).toFixed(0)}%`).join(', ') +
          '\n',
      )
      .join('');
  }
  if (job.kind === 'trained') {
    const r = result as TrainedResult;
    return r.settings
      .map(
        (s) =>
          `${s.name}: ${summaryLines({ ...job, kind: 'invert' } as unknown as JobSpec, s.report)
            .trimEnd()
            .split('\n')
            .join('; ')}\n`,
      )
      .join('');
  }
  if (job.kind === 'noise') {
    const r = result as NoiseResult;
    return r.points
      .map(
        (p) =>
          `σ ${p.sigma.toPrecision(3)}: ` +
          job.methods.map((m) => `${m} SNR(z) median ${p.methods[m]!.snrZ.p50.toFixed(1)} dB`).join(', ') +
          '\n',
      )
      .join('');
  }
  if (job.kind === 'check') {
    const r = result as CheckReport;
    return `verdict: ${r.verdict}\n`;
  }
  if (job.kind === 'sensing') {
    const r = result as SensingResult;
    return r.points
      .map(
        (p) =>
          `m ${p.m}: ` +
          job.methods
            .map((m) => {
              const o = p.methods[m]!;
              return `${m} ${(100 * o.successRate).toFixed(0)}% (certified ${(100 * o.certifiedRate).toFixed(0)}%), SNR(z) median ${o.snrZ.p50 >= 400 ? '≥400' : o.snrZ.p50.toFixed(1)} dB`;
            })
            .join(', ') +
          '\n',
      )
      .join('');
  }
  if (job.kind === 'project')
    return (result as ProjectResult).signals.map((s) => `signal ${s.index}: ${s.verdict}\n`).join('');
  const r = result as InvertReport;
  return job.methods
    .map((m) => {
      const s = r.methods[m]!.summary;
      return `${m}: success ${(100 * s.successRate).toFixed(1)}%, SNR(z) median ${s.medianSnrZ >= 400 ? '≥400' : s.medianSnrZ.toFixed(1)} dB\n`;
    })
    .join('');
}

/** `--m 10,40,160`: the cs preset's measurement counts. */
function mGrid(text: string | true | undefined): { m: number[] } | undefined {
  if (text === undefined) return undefined;
  const m = String(text)
    .split(',')
    .map((v) => Number(v.trim()));
  if (text === true || m.length === 0 || !m.every((v) => Number.isSafeInteger(v) && v >= 1))
    throw new UsageError(`--m must be a list of positive integers such as 10,40,160, got "${String(text)}"`);
  return { m };
}

function normalizePreset(preset: Preset, flags: Map<string, string | true>): JobSpec {
  const int = (name: string, min: number) => {
    const text = flags.get(name);
    if (text === undefined) return undefined;
    const v = Number(text);
    if (!(Number.isSafeInteger(v) && v >= min))
      throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    return v;
  };
  const methodsText = flags.get('methods');
  const methods = typeof methodsText === 'string' ? methodsText.split(',').map((m) => m.trim()) : undefined;
  const bad = methods?.find((m) => !METHOD_IDS.includes(m as MethodId));
  if (bad !== undefined) throw new UsageError(`--methods: unknown method "${bad}" (known: ${METHOD_IDS.join(', ')})`);
  const model = flags.get('model');
  const raw = presetSpec(preset, {
    ...(typeof model === 'string' ? { model: resolveModelArg(model) } : {}),
    quick: flags.get('quick') === true,
    ...(int('count', 1) !== undefined ? { count: int('count', 1) } : {}),
    ...(int('seed', 0) !== undefined ? { seed: int('seed', 0) } : {}),
    ...(methods !== undefined ? { methods: methods as MethodId[] } : {}),
    paperProtocol: flags.get('paper-protocol') === true,
    ...(mGrid(flags.get('m')) ?? {}),
  });
  try {
    return normalizeJobSpec(raw);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(`${preset}: ${e.message}`);
    throw e;
  }
}

export async function experiment(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {
    valued: ['workers', 'workspace', 'resume', 'json', 'model', 'count', 'seed', 'methods', 'shard', 'run-id', 'm'],
    boolean: ['quick', 'merge', 'paper-protocol'],
  });
  if (args.flags.has('merge')) return merge(args.positionals, args.flags, io);
  const shard = parseShard(args.flags.get('shard'));
  const givenId = args.flags.get('run-id');
  if (givenId !== undefined && shard === undefined)
    throw new UsageError('--run-id names the run folder of a shard: it goes with --shard K/N');
  if (typeof givenId === 'string' && !isRunId(givenId)) throw new UsageError(`--run-id: "${givenId}" is not a run id`);
  const resumeId = args.flags.get('resume');
  if (resumeId !== undefined && givenId !== undefined)
    throw new UsageError('--resume names the run already: give no --run-id with it');
  if (resumeId === undefined ? args.positionals.length !== 1 : args.positionals.length !== 0)
    throw new UsageError(
      resumeId === undefined
        ? `experiment takes one spec.json\n\n${experimentUsage}`
        : '--resume takes the job from the run folder: give no spec.json with it',
    );
  const workers = parseWorkers(args.flags.get('workers'));
  const workspace = resolve(String(args.flags.get('workspace') ?? DEFAULT_WORKSPACE));
  await checkWritable(args.flags.get('json'), '--json');

  let id: string;
  let job: JobSpec;
  let generator: Generator;
  if (typeof resumeId === 'string') {
    if (!isRunId(resumeId)) throw new UsageError(`--resume: "${resumeId}" is not a run id`);
    let spec;
    try {
      spec = await readRunSpec(workspace, resumeId);
    } catch (e) {
      if (e instanceof RunRefusedError) throw new InputError(e.message);
      throw e;
    }
    const loaded = await loadJobModel(spec.model.path ?? spec.model.source, process.cwd());
    if (loaded.model.sha256 !== spec.model.sha256)
      throw new InputError(
        `run ${resumeId}: the model ${spec.model.path ?? spec.model.source} changed since the run began (SHA-256 ${loaded.model.sha256.slice(0, 12)}…, the run has ${spec.model.sha256.slice(0, 12)}…); start a new run`,
      );
    ({ generator } = loaded);
    job = spec.job;
    id = resumeId;
  } else {
    const preset = PRESETS.find((p) => p === args.positionals[0]);
    const presetFlags = ['model', 'quick', 'count', 'seed', 'methods', 'paper-protocol', 'm'].filter((f) =>
      args.flags.has(f),
    );
    let specDir: string;
    if (preset !== undefined) {
      job = normalizePreset(preset, args.flags);
      specDir = process.cwd();
    } else {
      if (presetFlags.length > 0)
        throw new UsageError(`--${presetFlags[0]} goes with a preset (fig2, fig3, noise, cs); a spec.json says it all`);
      const specPath = resolve(args.positionals[0]);
      job = await readSpecFile(specPath);
      specDir = dirname(specPath);
    }
    const loaded = await loadJobModel(job.model, specDir);
    generator = loaded.generator;
    try {
      checkJobModel(job, generator);
    } catch (e) {
      if (e instanceof RangeError) throw new InputError(`${job.model}: ${e.message}`);
      throw e;
    }
    try {
      ({ id } = await createRun(
        workspace,
        job,
        loaded.model,
        shard === undefined ? undefined : typeof givenId === 'string' ? givenId : jobRunId(job, loaded.model.sha256),
      ));
    } catch (e) {
      if (e instanceof RunRefusedError) throw new InputError(e.message);
      throw e;
    }
  }

  const outcome = await executeJob(
    workspace,
    id,
    generator,
    job,
    { ...(workers !== undefined ? { workers } : {}), ...(shard !== undefined ? { shard } : {}) },
    io,
  );
  if (typeof outcome === 'number') return outcome;
  if (outcome.state === 'partial') {
    // --json still says where the run stands, so a script can tell a shard's share from a finished run.
    const json = args.flags.get('json');
    if (json !== undefined)
      await writeJsonOutput(
        { run: { id: outcome.id, dir: outcome.dir }, state: 'partial', missingChunks: outcome.missing },
        json,
        io,
      );
    io.out(
      `run ${id} shard ${shard!.index}/${shard!.count} done (${outcome.computed.length + outcome.kept.length} chunk(s)): ${outcome.dir}\n` +
        `${outcome.missing!.length} chunk(s) of other shards not here yet; when all are done: pursuit-lab experiment --merge <their run folders…>\n`,
    );
    return 0;
  }
  await reportDone(job, outcome, args.flags.get('json'), io);
  return 0;
}

/** Prints the finished run's folder and summary (`summary` instead of the kind's own lines), and writes --json. */
export async function reportDone(
  job: JobSpec,
  outcome: RunOutcome,
  json: string | true | undefined,
  io: CliIo,
  summary = summaryLines(job, outcome.result!),
) {
  io.out(`run ${outcome.id} done: ${outcome.dir}\n${summary}`);
  if (json !== undefined) {
    const text = await readFile(resolve(outcome.dir, 'result.json'), 'utf8');
    await writeJsonOutput({ run: { id: outcome.id, dir: outcome.dir }, ...(JSON.parse(text) as object) }, json, io);
  }
}

/** `--shard K/N`: 1 ≤ K ≤ N, as a job array's task ids run. */
function parseShard(text: string | true | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = typeof text === 'string' ? /^(\d+)\/(\d+)$/.exec(text) : null;
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || !(count >= 1 && count <= 100_000 && index >= 1 && index <= count))
    throw new UsageError(`--shard must be K/N with 1 ≤ K ≤ N (e.g. --shard 2/8), got "${String(text)}"`);
  return { index, count };
}

/** `experiment --merge <run folders…>`: gathers the shards' chunks into one run folder and merges them. */
async function merge(folders: readonly string[], flags: Map<string, string | true>, io: CliIo): Promise<number> {
  const stray = [...flags.keys()].find((f) => !['merge', 'workspace', 'json'].includes(f));
  if (stray !== undefined)
    throw new UsageError(`--${stray} does not go with --merge (it takes run folders, --workspace, --json)`);
  if (folders.length === 0) throw new UsageError(`--merge takes the shards' run folders\n\n${experimentUsage}`);
  const workspace = resolve(String(flags.get('workspace') ?? DEFAULT_WORKSPACE));
  await checkWritable(flags.get('json'), '--json');
  let gathered;
  try {
    gathered = await gatherRuns(
      workspace,
      folders.map((f) => resolve(f)),
    );
  } catch (e) {
    if (e instanceof RunRefusedError) throw new InputError(e.message);
    throw e;
  }
  const { id, spec } = gathered;
  const loaded = await loadJobModel(spec.model.path ?? spec.model.source, process.cwd());
  if (loaded.model.sha256 !== spec.model.sha256)
    throw new InputError(
      `run ${id}: the model ${spec.model.path ?? spec.model.source} is not the one the shards used (SHA-256 ${loaded.model.sha256.slice(0, 12)}…, the run has ${spec.model.sha256.slice(0, 12)}…)`,
    );
  // Every chunk is on disk now: executeRun computes nothing and merges, exactly as on one machine.
  const outcome = await executeRun(workspace, id, loaded.generator);
  if (outcome.state !== 'done') throw new InputError(`run ${id}: the merge ended ${outcome.state}`);
  io.err(`merged: ${gathered.copied} chunk file(s) copied into ${outcome.dir}\n`);
  await reportDone(spec.job, outcome, flags.get('json'), io);
  return 0;
}
