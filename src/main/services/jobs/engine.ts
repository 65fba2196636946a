import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import {
  chunkCount,
  chunkCost,
  chunkJob,
  chunkSettings,
  decodeChunk,
  partialReport,
  mergeChunks,
  type ChunkResult,
  type JobReport,
  type JobSpec,
} from '../../../core/experiments/jobs';
import { productKernel } from '../../../core/linalg/gemm';
import { layerDims, type Generator } from '../../../core/model/generator';
import { summarizeGenerator } from '../../../core/model/summary';
import { APP_VERSION } from '../../version';
import { removeStaleTemps, writeFileAtomic } from '../atomic';
import { WorkerPool } from './pool';
import {
  chunkPath,
  effectiveState,
  newRunId,
  readJson,
  runDir,
  writeJson,
  type RunError,
  type RunSpec,
  type RunState,
  type RunStatus,
} from './runs';

/** The model a job runs on, as the caller loaded it. */
export interface JobModel {
  readonly generator: Generator;
  /** As the user gave it: a path or a random: spec. */
  readonly source: string;
  /** The absolute path read, for a file. */
  readonly path?: string;
  /** SHA-256 of the file's bytes, or of the weights for random: (weightsSha256). */
  readonly sha256: string;
}

/** SHA-256 of a generator's weights: float64 little-endian, layer by layer, W then b. */
export function weightsSha256(gen: Generator): string {
  const hash = createHash('sha256');
  for (const { W, b } of gen.layers) {
    hash.update(new Uint8Array(W.data.buffer, W.data.byteOffset, W.data.byteLength));
    hash.update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }
  return hash.digest('hex');
}

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Raised for a run that cannot be started or resumed; the message says why, for the user. */
export class RunRefusedError extends Error {
  override readonly name = 'RunRefusedError';
}

/**
 * One share of a job's chunks, for a cluster's scheduler: chunks k with
 * k mod count = index − 1. The index is 1-based, as Slurm's array task ids
 * are, so `--shard ${SLURM_ARRAY_TASK_ID}/N` needs no arithmetic. Striding
 * (rather than contiguous blocks) spreads the slow and the fast grid points
 * of a sweep over every shard.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const inShard = (k: number, shard: Shard | undefined) =>
  shard === undefined || k % shard.count === shard.index - 1;

export const shardName = (shard: Shard) => `${shard.index}/${shard.count}`;

/** JSON with object keys sorted, so two specs compare by content, not by the order their keys were written. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The run id every shard of a job derives on its own, with nothing shared
 * but the spec: the kind and 12 hex digits of SHA-256 over the normalized job
 * and the model's SHA-256. The same job on the same weights always gets the
 * same folder, so a shard that is started again resumes it.
 */
export function jobRunId(job: JobSpec, modelSha256: string): string {
  const digest = createHash('sha256')
    .update(canonical({ job, model: modelSha256 }))
    .digest('hex');
  return `${job.kind}-${digest.slice(0, 12)}`;
}

/** Why two run specs are not the same job (undefined when they are): the model's weights, the chunking or a job field. */
export function jobDifference(a: RunSpec, b: RunSpec): string | undefined {
  if (a.model.sha256 !== b.model.sha256)
    return `the model differs (SHA-256 ${a.model.sha256.slice(0, 12)}… vs ${b.model.sha256.slice(0, 12)}…)`;
  const ja = a.job as unknown as Record<string, unknown>;
  const jb = b.job as unknown as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(ja), ...Object.keys(jb)])].filter(
    (f) => canonical(ja[f]) !== canonical(jb[f]),
  );
  if (fields.length > 0) return `the job differs in ${fields.map((f) => `"${f}"`).join(', ')}`;
  if (a.chunks !== b.chunks) return `the chunk counts differ (${a.chunks} vs ${b.chunks})`;
  return undefined;
}

export interface RunProgress {
  readonly id: string;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  /** Signals in the finished chunks, for jobs cut into blocks of signals (invert, check, project). */
  readonly signalsDone?: number;
}

/** Signals in chunk k, for the kinds whose chunks are blocks of signals; undefined for the others. */
export function chunkSignals(job: JobSpec, k: number): number | undefined {
  const settings = chunkSettings(job, k);
  const range = (
    job.kind === 'invert' || job.kind === 'sweep' || job.kind === 'project'
      ? settings.signals
      : job.kind === 'check'
        ? settings.samples
        : undefined
  ) as [number, number] | undefined;
  return range === undefined ? undefined : range[1] - range[0];
}

export interface ExecuteOptions {
  /** Worker threads. @default os.availableParallelism() */
  readonly workers?: number;
  /** Aborting it stops the workers at once and keeps the finished chunks. */
  readonly signal?: AbortSignal;
  /** Called after each finished chunk (the caller throttles what it shows). */
  readonly onProgress?: (p: RunProgress) => void;
  /**
   * Compute only this share of the chunks; merge only if the folder then
   * holds every chunk (a shared folder whose other shards are done), else
   * end the run as `partial`.
   */
  readonly shard?: Shard;
  /**
   * Worker threads the caller started (for the model of this run): early, so
   * that they load while the run folder is written (the CLI), or kept from an
   * earlier run (the app). Used when chunks are missing, on at most as many
   * of its threads as `workers` allows; closed at the end, or given to `keep`.
   */
  readonly pool?: WorkerPool;
  /**
   * Called with the pool, instead of closing it, when the run ends with its threads idle and
   * sound (nothing cancelled, nothing failed, no chunk lost to an error or a dead thread): the
   * caller keeps it for a later run of the same model (the app's jobs host, poolKeeper.ts).
   */
  readonly keep?: (pool: WorkerPool) => void;
}

export interface RunOutcome {
  readonly id: string;
  readonly dir: string;
  readonly state: Extract<RunState, 'done' | 'failed' | 'cancelled' | 'partial'>;
  /** The chunks this call computed (a resume computes only the missing ones). */
  readonly computed: number[];
  /** The chunks found on disk and kept. */
  readonly kept: number[];
  readonly result?: JobReport;
  readonly error?: RunError;
  /** For a `partial` run: the chunks the folder still lacks. */
  readonly missing?: number[];
}

/**
 * Creates `<workspace>/runs/<id>/` with spec.json and a queued status.json;
 * returns the id. With `given` (a shard's --run-id, or jobRunId) a folder
 * that already exists is reused if it holds the same job (a shared folder
 * another shard created, or a shard started again), and refused otherwise.
 */
export async function createRun(
  workspace: string,
  job: JobSpec,
  model: JobModel,
  given?: string,
): Promise<{ id: string; dir: string }> {
  const id = given ?? newRunId(job.kind);
  const dir = runDir(workspace, id);
  const summary = summarizeGenerator(model.generator);
  const created = new Date().toISOString();
  const spec: RunSpec = {
    format: 1,
    id,
    job,
    model: {
      source: model.source,
      ...(model.path !== undefined ? { path: model.path } : {}),
      sha256: model.sha256,
      name: summary.name,
      dims: layerDims(model.generator),
      output: summary.output,
    },
    chunks: chunkCount(job),
    app: { version: APP_VERSION, node: process.versions.node },
    kernel: productKernel().name,
    created,
  };
  if (given !== undefined) {
    const existing = await readJson<RunSpec>(join(dir, 'spec.json')).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new RunRefusedError(`run "${id}": spec.json is unreadable (${e.message})`);
    });
    if (existing !== undefined) {
      const difference = jobDifference(existing, spec);
      if (difference !== undefined)
        throw new RunRefusedError(`run "${id}" in ${workspace} is another job: ${difference}; choose another --run-id`);
      return { id, dir };
    }
  }
  await writeJson(join(dir, 'spec.json'), spec);
  const status: RunStatus = {
    state: 'queued',
    chunksDone: 0,
    chunksTotal: spec.chunks,
    pid: process.pid,
    host: hostname(),
    created,
  };
  await writeJson(join(dir, 'status.json'), status);
  return { id, dir };
}

/** Reads a run's spec; the caller loads its model (and checks the SHA-256) before `executeRun`. */
export async function readRunSpec(workspace: string, id: string): Promise<RunSpec> {
  try {
    return await readJson<RunSpec>(join(runDir(workspace, id), 'spec.json'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunRefusedError(
      code === 'ENOENT'
        ? `no run "${id}" in ${workspace}`
        : `run "${id}": spec.json is unreadable (${(e as Error).message})`,
    );
  }
}

/**
 * The chunks of a run already on disk and readable (a file that does not
 * decode is computed again). `cleanTemps` is off for shards: in a folder
 * shared by several hosts, a pid that is dead here may be alive there, so
 * another shard's temporary file is not ours to judge.
 */
async function finishedChunks(dir: string, total: number, cleanTemps = true): Promise<Map<number, string>> {
  if (cleanTemps) await removeStaleTemps(join(dir, 'chunks'));
  const found = new Map<number, string>();
  for (let k = 0; k < total; k++) {
    const text = await readFile(chunkPath(dir, k), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      decodeChunk(text);
      found.set(k, text);
    } catch {
      // Atomic writes never leave a torn chunk; anything else unreadable is recomputed.
    }
  }
  return found;
}

/**
 * A run's result so far, from the chunk files on disk (each written whole),
 * for the kinds whose figures grow as chunks finish (core partialReport);
 * undefined for the others. Reads only: safe while the run is running.
 */
export async function readPartialReport(workspace: string, id: string): Promise<JobReport | undefined> {
  const spec = await readRunSpec(workspace, id);
  const found = await finishedChunks(runDir(workspace, id), spec.chunks, false);
  const chunks = Array.from({ length: spec.chunks }, (_, k) => {
    const text = found.get(k);
    return text === undefined ? undefined : decodeChunk(text);
  });
  return partialReport(spec.job, chunks);
}

/** Worker threads for `chunks` chunks to compute: as asked (default every core), never more than the chunks, at least one. */
export function poolSize(requested: number | undefined, chunks: number): number {
  return Math.max(1, Math.min(requested ?? availableParallelism(), chunks));
}

/**
 * Runs (or resumes) a run: computes the chunks not yet on disk on a pool of
 * worker threads, writes each as it finishes, then merges all of them in
 * chunk order into result.json. A chunk that fails is retried once (on a
 * fresh worker if its worker died); a second failure stops the run as
 * `failed`, naming the chunk's settings. Aborting `signal` terminates the
 * workers and leaves the run `cancelled`, its finished chunks kept.
 *
 * The merge reads every chunk back from its file's text, so a fresh run and
 * a resumed one merge the very same bytes.
 */
export async function executeRun(
  workspace: string,
  id: string,
  gen: Generator,
  options: ExecuteOptions = {},
): Promise<RunOutcome> {
  const dir = runDir(workspace, id);
  const spec = await readRunSpec(workspace, id);
  const statusPath = join(dir, 'status.json');
  const previous = await readJson<RunStatus>(statusPath).catch(() => undefined);
  const shard = options.shard;
  // Shards of a shared folder take turns writing status.json: only the same shard running elsewhere is a clash.
  if (previous !== undefined && (shard === undefined || previous.shard === shardName(shard))) {
    const state = effectiveState(previous);
    if ((state === 'running' || state === 'queued') && previous.pid !== process.pid)
      throw new RunRefusedError(`run "${id}" is ${state} in process ${previous.pid}; it cannot run twice at once`);
  }
  const job = spec.job;
  const total = spec.chunks;
  const found = await finishedChunks(dir, total, shard === undefined);
  const kept = [...found.keys()].filter((k) => inShard(k, shard));
  const missing = Array.from({ length: total }, (_, k) => k).filter((k) => !found.has(k) && inShard(k, shard));
  // A given pool may have more threads than this run can use (a kept one, or a resume's): the rest idle.
  const usable = poolSize(options.workers, missing.length);
  const workers = options.pool === undefined ? usable : Math.min(options.pool.workers, usable);
  const chunkSeconds: Record<string, number> = { ...(previous?.chunkSeconds ?? {}) };
  const base = {
    chunksTotal: total,
    pid: process.pid,
    host: hostname(),
    workers,
    ...(shard !== undefined ? { shard: shardName(shard) } : {}),
    created: previous?.created ?? spec.created,
    started: new Date().toISOString(),
  };
  let done = found.size;
  let signals =
    chunkSignals(job, 0) === undefined ? undefined : kept.reduce((sum, k) => sum + (chunkSignals(job, k) ?? 0), 0);
  const progress = (): RunProgress => ({
    id,
    chunksDone: done,
    chunksTotal: total,
    ...(signals !== undefined ? { signalsDone: signals } : {}),
  });
  // Status writes go one after another, so a later count never lands before an earlier one.
  let statusChain: Promise<void> = Promise.resolve();
  const writeStatus = (state: RunState, extra: Partial<RunStatus> = {}) => {
    const status: RunStatus = { ...base, state, chunksDone: done, chunkSeconds: { ...chunkSeconds }, ...extra };
    // A failed write (a full disk) does not block the later ones, which try again.
    statusChain = statusChain.catch(() => undefined).then(() => writeJson(statusPath, status));
    return statusChain;
  };
  await writeStatus('running');
  options.onProgress?.(progress());

  const computed: number[] = [];
  let failure: RunError | undefined;
  let cancelled = options.signal?.aborted === true;
  const wanted = missing.length > 0 && !cancelled;
  // A given pool goes back to the caller where it may be kept, and is closed otherwise.
  const release = async (given: WorkerPool, reusable: boolean) => {
    if (reusable && options.keep !== undefined && !given.isClosed) options.keep(given);
    else await given.close();
  };
  if (!wanted && options.pool !== undefined) await release(options.pool, !cancelled);
  const pool = wanted ? (options.pool ?? new WorkerPool(workers, gen)) : undefined;
  let chunkFailed = false;
  const onAbort = () => {
    cancelled = true;
    void pool?.close();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (pool !== undefined) {
      // Dearest first (stable, so equal costs keep chunk order): the merge order is fixed, so this changes no result.
      const queue = [...missing].sort((a, b) => chunkCost(job, b) - chunkCost(job, a));
      const failures = new Map<number, number>();
      const dispatch = (slot: number) => {
        if (queue.length === 0 || failure !== undefined || cancelled) return undefined;
        const k = queue.shift()!;
        return { k, outcome: pool.run(slot, chunkJob(job, k), k) };
      };
      const loop = async (slot: number) => {
        let next = dispatch(slot);
        while (next !== undefined) {
          const { k } = next;
          const outcome = await next.outcome;
          // The worker starts its next chunk while this one is saved (two fsyncs, the status two more):
          // it no longer idles between chunks. Only after a success: a failure is retried next, below.
          next = outcome.ok ? dispatch(slot) : undefined;
          if (outcome.ok) {
            try {
              await writeFileAtomic(chunkPath(dir, k), outcome.text);
            } catch (e) {
              // A full disk, a folder gone: the run cannot keep its work, so it stops and says why (resumable once fixed).
              if (failure === undefined)
                failure = {
                  message: `cannot save chunk ${k} to ${chunkPath(dir, k)}: ${(e as Error).message}`,
                  chunk: chunkSettings(job, k),
                };
              await pool.close();
              break;
            }
            computed.push(k);
            chunkSeconds[k] = outcome.seconds;
            done++;
            if (signals !== undefined) signals += chunkSignals(job, k) ?? 0;
            // The chunk is safe on disk; a status that cannot be written now is written by the next change.
            await writeStatus('running').catch(() => undefined);
            options.onProgress?.(progress());
            continue;
          }
          if (cancelled || failure !== undefined) break;
          chunkFailed = true;
          const count = (failures.get(k) ?? 0) + 1;
          failures.set(k, count);
          if (count < 2) {
            // Once more, next on this worker (a fresh one if it died).
            queue.unshift(k);
            next = dispatch(slot);
            continue;
          }
          failure = {
            message: `chunk ${k} failed twice: ${outcome.message}`,
            chunk: chunkSettings(job, k),
          };
          await pool.close();
        }
      };
      await Promise.all(Array.from({ length: workers }, (_, slot) => loop(slot)));
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (pool !== undefined) await release(pool, !cancelled && failure === undefined && !chunkFailed);
  }
  computed.sort((a, b) => a - b);
  const finished = new Date().toISOString();
  if (failure !== undefined) {
    // The status may not be writable either (the same full disk): the outcome says it all the same.
    await writeStatus('failed', { finished, error: failure }).catch(() => undefined);
    return { id, dir, state: 'failed', computed, kept, error: failure };
  }
  if (cancelled && done < total) {
    await writeStatus('cancelled', { finished });
    return { id, dir, state: 'cancelled', computed, kept };
  }
  if (shard !== undefined) {
    // Other shards may have filled a shared folder meanwhile: look again before deciding to merge.
    const all = await finishedChunks(dir, total, false);
    done = all.size;
    if (all.size < total) {
      const absent = Array.from({ length: total }, (_, k) => k).filter((k) => !all.has(k));
      await writeStatus('partial', { finished });
      return { id, dir, state: 'partial', computed, kept, missing: absent };
    }
  }
  const chunks: ChunkResult[] = [];
  for (let k = 0; k < total; k++) chunks.push(decodeChunk(await readFile(chunkPath(dir, k), 'utf8')));
  const report = mergeChunks(gen, job, chunks);
  const summary = summarizeGenerator(gen);
  // A sweep draws a model per grid point: its result is the SweepResult alone (settings say the family).
  const result =
    job.kind === 'sweep'
      ? report
      : {
          model: {
            name: summary.name,
            dims: summary.dims,
            output: summary.output,
            source: spec.model.source,
            sha256: spec.model.sha256,
          },
          ...report,
        };
  await writeFileAtomic(join(dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  await writeStatus('done', { finished });
  return { id, dir, state: 'done', computed, kept, result: report };
}

/**
 * Gathers the chunk files of several run folders of one job (the shards'
 * copies, or one shared folder) into `<workspace>/runs/<id>/`, `id` the first
 * folder's. Refuses folders that are not the same job (spec and model
 * SHA-256), a chunk two folders hold with different bytes (the computation
 * is deterministic, so that means different code or kernels), and a set of
 * folders that lacks a chunk. The caller then loads the model and calls
 * `executeRun`, which finds nothing to compute and merges: the very code a
 * single machine runs, so the same result.json.
 */
export async function gatherRuns(
  workspace: string,
  dirs: readonly string[],
): Promise<{ id: string; dir: string; spec: RunSpec; copied: number }> {
  if (dirs.length === 0) throw new RunRefusedError('--merge needs at least one run folder');
  const specs: RunSpec[] = [];
  for (const d of dirs) {
    try {
      specs.push(await readJson<RunSpec>(join(d, 'spec.json')));
    } catch (e) {
      throw new RunRefusedError(`${d}: not a run folder (spec.json: ${(e as Error).message})`);
    }
  }
  const first = specs[0];
  specs.forEach((s, i) => {
    const difference = jobDifference(first, s);
    if (difference !== undefined)
      throw new RunRefusedError(`${dirs[i]} is not the same job as ${dirs[0]}: ${difference}`);
  });
  const id = first.id;
  const dir = runDir(workspace, id);
  const own = await readJson<RunSpec>(join(dir, 'spec.json')).catch(() => undefined);
  if (own !== undefined) {
    const difference = jobDifference(first, own);
    if (difference !== undefined)
      throw new RunRefusedError(`${dir} already holds another job under the id "${id}": ${difference}`);
  } else {
    await writeJson(join(dir, 'spec.json'), first);
  }
  const total = first.chunks;
  const held = await Promise.all(dirs.map((d) => finishedChunks(d, total, false)));
  const target = await finishedChunks(dir, total, false);
  const absent: number[] = [];
  let copied = 0;
  for (let k = 0; k < total; k++) {
    const copies = held.map((h, i) => ({ text: h.get(k), from: dirs[i] })).filter((c) => c.text !== undefined);
    if (copies.length === 0 && !target.has(k)) {
      absent.push(k);
      continue;
    }
    const text = target.get(k) ?? copies[0].text!;
    const other = copies.find((c) => c.text !== text);
    if (other !== undefined)
      throw new RunRefusedError(
        `chunk ${k} differs between ${target.has(k) ? dir : copies[0].from} and ${other.from}: the shards did not compute the same thing (another app version or kernel?)`,
      );
    if (!target.has(k)) {
      await writeFileAtomic(chunkPath(dir, k), text);
      copied++;
    }
  }
  if (absent.length > 0)
    throw new RunRefusedError(
      `the folders lack chunk${absent.length > 1 ? 's' : ''} ${absent.join(', ')} of ${total}; run the shards that compute them (chunk k belongs to shard K/N where k mod N = K − 1), then merge again`,
    );
  // A fresh status of this process: the shards' statuses (other hosts, other pids) say nothing about the merge.
  const status: RunStatus = {
    state: 'queued',
    chunksDone: total,
    chunksTotal: total,
    pid: process.pid,
    host: hostname(),
    created: first.created,
  };
  await writeJson(join(dir, 'status.json'), status);
  return { id, dir, spec: first, copied };
}
