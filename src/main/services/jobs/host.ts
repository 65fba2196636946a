import { readFile, rm } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { checkJobModel, chunkCount, normalizeJobSpec, type JobSpec } from '../../../core/experiments/jobs';
import { openModel } from '../../../core/formats/index';
import { withCustomActivations } from '../../../core/model/customActivationLoader';
import type { Generator } from '../../../core/model/generator';
import { parseRandomSpec, randomGaussianGenerator } from '../../../core/model/random';
import type { JobSettings, RunDetail, RunInfo, RunProgressEvent, RunState } from '../../../shared/contract';
import { err, ok, type Result } from '../../../shared/result';
import type { EventHub } from '../events';
import type { ModelStore } from '../modelStore';
import {
  createRun,
  executeRun,
  poolSize,
  readPartialReport,
  readRunSpec,
  RunRefusedError,
  weightsSha256,
  type JobModel,
  type RunProgress,
} from './engine';
import { WorkerPool } from './pool';
import { PoolKeeper } from './poolKeeper';
import { isRunId, listRuns, readJson, readRunListing, runDir, writeJson, type RunStatus } from './runs';

/** Models whose generators the host keeps for the next run (each is its weights in float64). */
const RECENT_MODELS = 2;

/** Progress events per run: at most one per this many milliseconds (ten a second). */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * A random: model's weights are drawn on the host's main thread before the
 * run is queued: refuse widths whose weights alone exceed this, in a line,
 * instead of stalling the host (the CLI has --memory-budget for the same).
 */
const MAX_RANDOM_WEIGHT_BYTES = 1e9;

/**
 * Sends the latest of a stream of values at most once per `intervalMs`: the
 * first at once, then the newest one when the interval has passed (never a
 * stale one); `flush` sends a value now, dropping any pending one (a change
 * of state is never delayed or lost).
 */
export class Throttle<T> {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: T | undefined;

  constructor(
    private readonly send: (value: T) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  push(value: T): void {
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0 && this.timer === undefined) {
      this.last = this.now();
      this.send(value);
      return;
    }
    this.pending = value;
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        const next = this.pending;
        this.pending = undefined;
        if (next !== undefined) {
          this.last = this.now();
          this.send(next);
        }
      },
      Math.max(0, wait),
    );
  }

  flush(value: T): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.last = this.now();
    this.send(value);
  }
}

export interface JobHostOptions {
  readonly workspace: string;
  readonly store: ModelStore;
  readonly events: EventHub;
  /** Where unexpected errors' stacks go. @default console.error */
  readonly log?: (text: string) => void;
  /**
   * How long a worker pool is kept for the next run (poolKeeper.ts); 0 keeps none (a test that
   * sets the workers' fault variables between runs: threads read them as they start). @default POOL_IDLE_MS
   */
  readonly poolIdleMs?: number;
}

interface Queued {
  readonly id: string;
  readonly gen: Generator;
  /** The model's SHA-256: a kept worker pool serves the runs of the same model. */
  readonly sha256: string;
}

/** What the app keeps in `<workspace>/settings.json` (other keys are left as they are). */
interface SettingsFile {
  jobWorkers?: number;
}

/**
 * The host's job queue over the engine (engine.ts): runs go one at a time in
 * the order asked, each on the configured number of worker threads, in the
 * host's workspace. The live state of the queued and running runs is kept
 * here, so a renderer that reloads finds them (listRuns) with their
 * progress; everything else is read from the run folders, where a run left
 * `running` by a dead process shows as `interrupted` (runs.ts effectiveState).
 */
export class JobHost {
  private readonly queue: Queued[] = [];
  private current: { id: string; controller: AbortController; finished: Promise<void> } | undefined;
  /** Latest progress of each queued or running run of this process. */
  private readonly live = new Map<string, RunProgressEvent>();
  private readonly throttles = new Map<string, Throttle<RunProgressEvent>>();
  private readonly log: (text: string) => void;
  /** The worker pool kept between runs (poolKeeper.ts). */
  private readonly pools: PoolKeeper;
  /** The models resolved last, by source, oldest first (resolveModel). */
  private readonly recent = new Map<string, { gen: Generator; model: JobModel }>();

  constructor(private readonly options: JobHostOptions) {
    this.log = options.log ?? ((text) => console.error(text));
    this.pools = new PoolKeeper(options.poolIdleMs);
  }

  private get workspace() {
    return this.options.workspace;
  }

  private settingsPath() {
    return join(this.workspace, 'settings.json');
  }

  private async readSettings(): Promise<SettingsFile> {
    try {
      const value = await readJson<unknown>(this.settingsPath());
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as SettingsFile) : {};
    } catch {
      // No settings yet, or a file a user broke by hand: the defaults hold.
      return {};
    }
  }

  async settings(): Promise<JobSettings> {
    const saved = (await this.readSettings()).jobWorkers;
    return Number.isInteger(saved) && saved! >= 1
      ? { workers: saved!, isDefault: false }
      : { workers: availableParallelism(), isDefault: true };
  }

  async setWorkers(count: number | null): Promise<JobSettings> {
    const file = await this.readSettings();
    if (count === null) delete file.jobWorkers;
    else file.jobWorkers = count;
    await writeJson(this.settingsPath(), file);
    return this.settings();
  }

  /**
   * The generator a spec's model names, with its record: the one resolved last for the same
   * source (and, for a stored model, the same SHA-256), else read afresh (readModel). A bundled
   * ONNX file is parsed in a worker and handed over as JSON, then parsed again here: about 0.2 s
   * for the MNIST generator, more than a one-signal run on a kept pool takes.
   */
  private async resolveModel(source: string): Promise<Result<{ gen: Generator; model: JobModel }>> {
    const hit = this.recent.get(source);
    if (hit !== undefined) {
      // A stored model is looked up again (it may be gone); a random: spec always draws the same weights.
      const sha256 = source.startsWith('random:') ? hit.model.sha256 : (await this.options.store.info(source))?.sha256;
      if (sha256 === hit.model.sha256) {
        // Most recent last: the map's first entry is the one to forget.
        this.recent.delete(source);
        this.recent.set(source, hit);
        return ok(hit);
      }
      this.recent.delete(source);
    }
    const read = await this.readModel(source);
    if (read.ok) {
      this.recent.set(source, read.value);
      while (this.recent.size > RECENT_MODELS) this.recent.delete(this.recent.keys().next().value!);
    }
    return read;
  }

  private async readModel(source: string): Promise<Result<{ gen: Generator; model: JobModel }>> {
    if (source.startsWith('random:')) {
      let spec;
      try {
        spec = await withCustomActivations(() => parseRandomSpec(source));
      } catch (e) {
        return err('bad-request', (e as Error).message);
      }
      let bytes = 0;
      for (let i = 0; i + 1 < spec.dims.length; i++) bytes += spec.dims[i] * spec.dims[i + 1] * 8;
      if (bytes > MAX_RANDOM_WEIGHT_BYTES)
        return err('limit', `${source}: its weights alone need ${(bytes / 1e9).toFixed(1)} GB (at most 1 GB here)`);
      const gen = randomGaussianGenerator(spec.dims, spec.output, spec.seed);
      return ok({ gen, model: { generator: gen, source, sha256: weightsSha256(gen) } });
    }
    const data = await this.options.store.getData(source);
    if (data === undefined)
      return err('not-found', `no model "${source}": give a model id from listModels or a random:… spec`);
    // The store hands every model over as its own Pursuit Lab JSON, already validated at import.
    const gen = (await withCustomActivations(() => openModel(data.bytes, `${data.info.id}.json`))).generator;
    return ok({ gen, model: { generator: gen, source, sha256: data.info.sha256 } });
  }

  async start(raw: Record<string, unknown>): Promise<Result<RunInfo>> {
    let job: JobSpec;
    try {
      job = normalizeJobSpec(raw);
    } catch (e) {
      if (e instanceof RangeError) return err('bad-request', `job spec: ${e.message.split('\n')[0]}`);
      throw e;
    }
    const resolved = await this.resolveModel(job.model);
    if (!resolved.ok) return resolved;
    try {
      checkJobModel(job, resolved.value.gen);
    } catch (e) {
      if (e instanceof RangeError) return err('bad-request', `${job.model}: ${e.message.split('\n')[0]}`);
      throw e;
    }
    const { id } = await createRun(this.workspace, job, resolved.value.model);
    return ok(await this.enqueue({ id, gen: resolved.value.gen, sha256: resolved.value.model.sha256 }));
  }

  private async enqueue(run: Queued): Promise<RunInfo> {
    const { id } = run;
    const listing = (await readRunListing(this.workspace, id))!;
    const event: RunProgressEvent = {
      id,
      state: 'queued',
      chunksDone: listing.chunksDone,
      chunksTotal: listing.chunksTotal,
      etaSeconds: null,
    };
    this.queue.push(run);
    this.publish(event, true);
    void this.pump();
    return this.withLive(listing);
  }

  /** Sends a run's progress to every window, throttled; `final` goes at once. */
  private publish(event: RunProgressEvent, final = false): void {
    const done = event.state !== 'queued' && event.state !== 'running';
    if (done) this.live.delete(event.id);
    else this.live.set(event.id, event);
    let throttle = this.throttles.get(event.id);
    if (throttle === undefined) {
      throttle = new Throttle((e) => this.options.events.emit('run-progress', e));
      this.throttles.set(event.id, throttle);
    }
    if (final || done) throttle.flush(event);
    else throttle.push(event);
    if (done) this.throttles.delete(event.id);
  }

  /** Starts the next queued run unless one is running; runs go strictly one at a time. */
  private async pump(): Promise<void> {
    if (this.current !== undefined) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    const controller = new AbortController();
    let settle!: () => void;
    const finished = new Promise<void>((resolve) => (settle = resolve));
    this.current = { id: next.id, controller, finished };
    try {
      await this.execute(next, controller.signal);
    } finally {
      this.current = undefined;
      settle();
      void this.pump();
    }
  }

  private async execute({ id, gen, sha256 }: Queued, signal: AbortSignal): Promise<void> {
    const began = Date.now();
    let startDone: number | undefined;
    let last: RunProgress | undefined;
    const event = (state: RunState, p: RunProgress): RunProgressEvent => {
      startDone ??= p.chunksDone;
      const computed = p.chunksDone - startDone;
      // ETA from this session's own pace: chunks kept from before a resume took no time now.
      const eta =
        state === 'running' && computed > 0
          ? ((Date.now() - began) / 1000 / computed) * (p.chunksTotal - p.chunksDone)
          : null;
      return {
        id,
        state,
        chunksDone: p.chunksDone,
        chunksTotal: p.chunksTotal,
        ...(p.signalsDone !== undefined ? { signalsDone: p.signalsDone } : {}),
        etaSeconds: eta,
      };
    };
    let pool: WorkerPool | undefined;
    try {
      const { workers } = await this.settings();
      // The pool the last run of this model left (started, loaded, compiled) where it has enough
      // threads and no more than the setting allows, else a fresh one sized for this run; the
      // engine hands it back for the next run if this one ends sound.
      const want = poolSize(workers, chunkCount((await readRunSpec(this.workspace, id)).job));
      pool = this.pools.take(sha256, (p) => p.workers >= want && p.workers <= workers) ?? new WorkerPool(want, gen);
      const outcome = await executeRun(this.workspace, id, gen, {
        workers,
        signal,
        pool,
        keep: (p) => this.pools.keep(sha256, p),
        onProgress: (p) => {
          const first = last === undefined;
          last = p;
          // The first event says it is running now: a change of state, sent at once.
          this.publish(event('running', p), first);
        },
      });
      const listing = await readRunListing(this.workspace, id);
      this.publish(
        event(outcome.state, {
          id,
          chunksDone: listing?.chunksDone ?? last?.chunksDone ?? 0,
          chunksTotal: listing?.chunksTotal ?? last?.chunksTotal ?? 0,
          ...(last?.signalsDone !== undefined ? { signalsDone: last.signalsDone } : {}),
        }),
        true,
      );
    } catch (e) {
      // Refused before the engine took the pool (a run already running elsewhere): not kept.
      if (pool !== undefined && !this.pools.holds(pool)) void pool.close();
      const message = e instanceof RunRefusedError ? e.message : `unexpected error: ${(e as Error)?.message ?? e}`;
      if (!(e instanceof RunRefusedError)) this.log(`run ${id} failed: ${(e as Error)?.stack ?? String(e)}`);
      await this.writeState(id, 'failed', { message: message.split('\n')[0] }).catch(() => undefined);
      this.publish(
        event('failed', { id, chunksDone: last?.chunksDone ?? 0, chunksTotal: last?.chunksTotal ?? 0 }),
        true,
      );
    }
  }

  /** Rewrites a run's status.json with a new state, as this process (the engine does the rest). */
  private async writeState(id: string, state: RunState, error?: { message: string }): Promise<void> {
    const path = join(runDir(this.workspace, id), 'status.json');
    const previous = await readJson<RunStatus>(path);
    const status: RunStatus = {
      ...previous,
      state,
      pid: process.pid,
      host: hostname(),
      ...(state === 'queued' ? {} : { finished: new Date().toISOString() }),
      ...(error !== undefined ? { error } : {}),
    };
    if (state === 'queued') delete (status as { finished?: string }).finished;
    if (state === 'queued') delete (status as { error?: unknown }).error;
    await writeJson(path, status);
  }

  /** The listing with this process's live view laid over it. */
  private withLive(listing: RunInfo): RunInfo {
    const live = this.live.get(listing.id);
    if (live !== undefined) {
      return {
        ...listing,
        state: live.state,
        chunksDone: live.chunksDone,
        chunksTotal: live.chunksTotal,
        ...(live.signalsDone !== undefined ? { signalsDone: live.signalsDone } : {}),
        etaSeconds: live.etaSeconds,
      };
    }
    // Ours on disk but no longer in the queue: the engine stopped without its last word.
    if (listing.state === 'running' || listing.state === 'queued') return { ...listing, state: 'interrupted' };
    return listing;
  }

  async list(): Promise<RunInfo[]> {
    return (await listRuns(this.workspace)).map((l) => this.withLive(l));
  }

  private async find(id: string): Promise<RunInfo | undefined> {
    if (!isRunId(id)) return undefined;
    const listing = await readRunListing(this.workspace, id);
    return listing === undefined ? undefined : this.withLive(listing);
  }

  async get(id: string): Promise<Result<RunDetail>> {
    const run = await this.find(id);
    if (run === undefined) return err('not-found', `no run "${id}"`);
    if (run.state !== 'done') return ok(run);
    const text = await readFile(join(run.dir, 'result.json'), 'utf8');
    return ok({ ...run, result: JSON.parse(text) as unknown });
  }

  async cancel(id: string): Promise<Result<RunInfo>> {
    const run = await this.find(id);
    if (run === undefined) return err('not-found', `no run "${id}"`);
    if (this.current?.id === id) {
      this.current.controller.abort();
      // Answer once the workers are stopped and the status says so.
      await this.current.finished;
    } else {
      const at = this.queue.findIndex((q) => q.id === id);
      if (at < 0) return err('conflict', `run "${id}" is ${run.state}: only a queued or running run can be cancelled`);
      this.queue.splice(at, 1);
      await this.writeState(id, 'cancelled');
      this.publish({ ...this.live.get(id)!, state: 'cancelled', etaSeconds: null }, true);
    }
    return ok((await this.find(id))!);
  }

  async resume(id: string): Promise<Result<RunInfo>> {
    const run = await this.find(id);
    if (run === undefined) return err('not-found', `no run "${id}"`);
    if (!['interrupted', 'cancelled', 'failed'].includes(run.state))
      return err('conflict', `run "${id}" is ${run.state}: only an interrupted, cancelled or failed run resumes`);
    const spec = await readRunSpec(this.workspace, id);
    const resolved = await this.resolveModel(spec.model.source);
    if (!resolved.ok) return resolved;
    if (resolved.value.model.sha256 !== spec.model.sha256)
      return err(
        'conflict',
        `run "${id}": the model ${spec.model.source} changed since the run began; start a new run`,
      );
    // Ours now: a later crash of this host shows it as interrupted again.
    await this.writeState(id, 'queued');
    return ok(await this.enqueue({ id, gen: resolved.value.gen, sha256: spec.model.sha256 }));
  }

  /** A run's result so far (sweep and noise runs: the points finished), or null for other kinds. */
  async partial(id: string): Promise<Result<{ id: string; result: unknown }>> {
    const run = await this.find(id);
    if (run === undefined) return err('not-found', `no run "${id}"`);
    return ok({ id, result: (await readPartialReport(this.workspace, id)) ?? null });
  }

  /**
   * Deletes a run folder, with its chunks, result and report. A queued or
   * running run is refused (cancel it first): deleting under a live engine
   * would only make it fail.
   */
  async remove(id: string): Promise<Result<{ id: string }>> {
    const run = await this.find(id);
    if (run === undefined) return err('not-found', `no run "${id}"`);
    if (run.state === 'queued' || run.state === 'running')
      return err('conflict', `run "${id}" is ${run.state}: cancel it before deleting it`);
    await rm(run.dir, { recursive: true, force: true });
    return ok({ id });
  }

  /**
   * Starts and keeps a worker pool for `source` (a workspace model id or a random: spec) ahead of
   * its first run, of the configured size, unless one is kept for it already. While a run runs it
   * does nothing: that run's pool is kept after it. A bad source is answered as startRun answers it.
   */
  async prepare(source: string): Promise<Result<{ workers: number }>> {
    const resolved = await this.resolveModel(source);
    if (!resolved.ok) return resolved;
    const { workers } = await this.settings();
    const { sha256 } = resolved.value.model;
    const kept = this.pools.current;
    if (this.current === undefined && this.queue.length === 0 && !(kept?.model === sha256 && kept.workers === workers))
      this.pools.keep(sha256, new WorkerPool(workers, resolved.value.gen));
    return ok({ workers });
  }

  /** The worker pool kept for the next run (its model's SHA-256 and threads), if any: tests and diagnostics. */
  keptPool(): { readonly model: string; readonly workers: number } | undefined {
    return this.pools.current;
  }

  /** Cancels what runs, empties the queue and ends the kept pool's threads (tests, and an app that quits). */
  async close(): Promise<void> {
    for (const q of this.queue.splice(0)) await this.writeState(q.id, 'cancelled').catch(() => undefined);
    this.current?.controller.abort();
    await this.current?.finished;
    await this.pools.close();
  }
}
