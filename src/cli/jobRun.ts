// What every command that runs a job shares (`experiment`, `project`): the
// job's model with its SHA-256, --workers, and running the run folder with
// progress on stderr, Ctrl-C to cancel, and the cancelled/failed messages.
import { isAbsolute, resolve } from 'node:path';
import { chunkCount, type JobSpec } from '../core/experiments/jobs';
import type { Generator } from '../core/model/generator';
import {
  createRun,
  executeRun,
  poolSize,
  RunRefusedError,
  sha256Of,
  weightsSha256,
  type JobModel,
  type RunOutcome,
  type Shard,
} from '../main/services/jobs/engine';
import { WorkerPool } from '../main/services/jobs/pool';
import { InputError, UsageError, type CliIo } from './io';
import { loadModelFile, loadModelOrRandom } from './modelFile';
import { progressPrinter } from './output';

export { DEFAULT_WORKSPACE } from './usage';

export interface LoadedJobModel {
  readonly generator: Generator;
  readonly model: JobModel;
}

/** Loads a job's model and records how to find it again (its absolute path and SHA-256). */
export async function loadJobModel(source: string, specDir: string): Promise<LoadedJobModel> {
  if (source.startsWith('random:')) {
    const { generator } = await loadModelOrRandom(source);
    return { generator, model: { generator, source, sha256: weightsSha256(generator) } };
  }
  const path = isAbsolute(source) ? source : resolve(specDir, source);
  const { generator, bytes } = await loadModelFile(path);
  return { generator, model: { generator, source, path, sha256: sha256Of(bytes) } };
}

/** `--workers N`: undefined when absent (every core). */
export function parseWorkers(text: string | true | undefined): number | undefined {
  const workers = text === undefined ? undefined : Number(text);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 1024))
    throw new UsageError(`--workers must be an integer from 1 to 1024, got "${String(text)}"`);
  return workers;
}

/**
 * Creates a job's run folder in the workspace and returns its id; a refusal,
 * or a workspace that cannot hold it (a file in its place, no permission, a
 * full disk), becomes an InputError for the user.
 */
export async function createJobRun(workspace: string, job: JobSpec, model: JobModel): Promise<string> {
  try {
    return (await createRun(workspace, job, model)).id;
  } catch (e) {
    if (e instanceof RunRefusedError) throw new InputError(e.message);
    const { code, path } = e as NodeJS.ErrnoException;
    const why = FOLDER_ERRORS[code ?? ''];
    if (why !== undefined)
      throw new InputError(`cannot create the run folder in ${workspace}: ${path ?? workspace} ${why}`);
    throw e;
  }
}

/** File-system errors that are the workspace's, not the program's, in words. */
const FOLDER_ERRORS: Record<string, string> = {
  ENOTDIR: 'lies under a file, not a folder (choose another --workspace)',
  EEXIST: 'is a file, not a folder (choose another --workspace)',
  EACCES: 'is not writable (permission denied)',
  EPERM: 'is not writable (operation not permitted)',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'is on a full disk',
};

/**
 * `createJobRun` then `executeJob`, with the worker threads started first: they
 * load their code while the run folder is written and synced (a one-signal
 * invert's workers used to start ~0.05 s later, after that I/O).
 */
export async function createAndExecuteJob(
  workspace: string,
  job: JobSpec,
  model: JobModel,
  generator: Generator,
  options: { readonly workers?: number },
  io: CliIo,
): Promise<RunOutcome | number> {
  // The engine's count for a fresh run, where every chunk is to compute.
  const pool = new WorkerPool(poolSize(options.workers, chunkCount(job)), generator);
  try {
    const id = await createJobRun(workspace, job, model);
    return await executeJob(workspace, id, generator, job, { pool, ...options }, io);
  } finally {
    // Closed by the engine when it ran; here when the run folder was refused (closing twice is harmless).
    await pool.close();
  }
}

/** A --model: a random: spec as given, a path made absolute so the run folder can find it again. */
export const resolveModelArg = (m: string) => (m.startsWith('random:') ? m : resolve(m));

/**
 * Runs (or resumes) run `id` on worker threads with progress on stderr; Ctrl-C
 * cancels and keeps the finished chunks. Returns the outcome when the run is
 * done or partial (a shard), else the exit code after saying why: 130
 * cancelled (with the command that resumes it), 1 failed.
 */
export async function executeJob(
  workspace: string,
  id: string,
  generator: Generator,
  job: JobSpec,
  options: { readonly workers?: number; readonly shard?: Shard; readonly pool?: WorkerPool },
  io: CliIo,
): Promise<RunOutcome | number> {
  const controller = new AbortController();
  // Ctrl-C: stop the workers now, keep what is finished; a second Ctrl-C is Node's default again.
  const onSigint = () => {
    io.err('\ncancelling: finished chunks are kept\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const progress = progressPrinter(io, Date.now);
  let outcome: RunOutcome;
  try {
    outcome = await executeRun(workspace, id, generator, {
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.shard !== undefined ? { shard: options.shard } : {}),
      ...(options.pool !== undefined ? { pool: options.pool } : {}),
      signal: controller.signal,
      onProgress: (p) => progress.update(() => `${job.kind} ${p.id}: ${p.chunksDone} / ${p.chunksTotal} chunks`),
    });
  } catch (e) {
    if (e instanceof RunRefusedError) throw new InputError(e.message);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.done();
  }
  if (outcome.kept.length > 0)
    io.err(`resumed: ${outcome.kept.length} chunk(s) kept, ${outcome.computed.length} computed\n`);
  if (outcome.state === 'cancelled') {
    io.err(`run ${id} cancelled; resume with: pursuit-lab experiment --resume ${id}\n`);
    return 130;
  }
  if (outcome.state === 'failed') {
    io.err(
      `run ${id} failed: ${outcome.error?.message}\n${outcome.error?.chunk ? `chunk: ${JSON.stringify(outcome.error.chunk)}\n` : ''}`,
    );
    return 1;
  }
  return outcome;
}
