import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { JobSpec } from '../../../core/experiments/jobs';
import type { Generator } from '../../../core/model/generator';
import type { JobApi } from '../../../workers/jobs';
import { beforeWorkerStart } from '../workerIsolates';
import { sourceMapArgv } from '../workerSourceMaps';

/**
 * The worker entry. From source (this file is .ts: the CLI under tsx, the
 * tests) bin/ts-worker.mjs boots the .ts entry inside the thread; a built host
 * has `out/main/job-worker.js` beside the entry this was bundled into, or one
 * level up from a chunk.
 */
function workerEntry(): { url: URL; workerData?: unknown; execArgv?: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsEntry = new URL('../../../workers/jobs.node-worker.ts', here);
    return { url: new URL('../../../../bin/ts-worker.mjs', here), workerData: { tsEntry: tsEntry.href } };
  }
  const candidates = [new URL('./job-worker.js', here), new URL('../job-worker.js', here)];
  return { url: candidates.find((url) => existsSync(url)) ?? candidates[0], execArgv: sourceMapArgv() };
}

/** How a chunk ended on a worker: its encoded result, or why not (as data). */
export type ChunkOutcome =
  | { readonly ok: true; readonly text: string; readonly seconds: number }
  | { readonly ok: false; readonly message: string };

interface Slot {
  worker: Worker;
  api: Remote<JobApi>;
  /** Resolves when the worker has the model; rejects if it died before. */
  ready: Promise<void>;
  /** Rejects the chunk in flight when the thread exits under it (Comlink would wait forever). */
  died: Promise<never>;
}

/**
 * A fixed set of worker threads for one job: each gets the generator once,
 * then computes chunks one at a time. A worker that dies (a crash, an
 * out-of-memory abort) fails only the chunk it was computing and is replaced
 * by a fresh one. `close()` terminates every thread at once, mid-chunk if
 * need be: cancelling does not wait for a chunk to finish.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly gen: Generator,
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`pool size must be ≥ 1, got ${size}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get workers(): number {
    return this.size;
  }

  private spawn(): Slot {
    const entry = workerEntry();
    beforeWorkerStart();
    const worker = new Worker(entry.url, { workerData: entry.workerData, execArgv: entry.execArgv });
    const api = wrap<JobApi>(nodeEndpoint(worker));
    const died = new Promise<never>((_, reject) => {
      worker.once('error', (e) => reject(new Error(`the worker thread failed: ${e.message}`)));
      worker.once('exit', (code) => reject(new Error(`the worker thread exited (code ${code})`)));
    });
    // Not every slot has a chunk in flight when it dies: keep the rejection from going unhandled.
    died.catch(() => undefined);
    const ready = Promise.race([
      api.loadJobModel(this.gen).then((r) => {
        if (!r.ok) throw new Error(r.error.message);
      }),
      died,
    ]);
    ready.catch(() => undefined);
    return { worker, api, ready, died };
  }

  /**
   * Runs chunk k of `spec` on worker `index` (0 … size − 1; the caller may
   * hand a worker its next chunk before this one's result is saved: it queues
   * there). Never rejects: a throw in the chunk or the
   * worker's death comes back as `{ ok: false }`, and a dead worker's slot
   * gets a fresh worker for the next chunk.
   */
  async run(index: number, spec: JobSpec, k: number): Promise<ChunkOutcome> {
    if (this.closed) return { ok: false, message: 'the pool is closed' };
    const slot = this.slots[index];
    try {
      await slot.ready;
      const r = await Promise.race([slot.api.runChunk(spec, k), slot.died]);
      return r.ok ? { ok: true, ...r.value } : { ok: false, message: r.error.message };
    } catch (e) {
      // Once per dead worker, whichever of its calls sees the death first.
      if (!this.closed && this.slots[index] === slot) {
        void slot.worker.terminate();
        this.slots[index] = this.spawn();
      }
      return { ok: false, message: (e as Error).message };
    }
  }

  /**
   * Whether the threads hold the process open (Node's ref/unref): a pool kept idle between runs
   * (poolKeeper.ts) must not keep an app or a test from exiting; one in use must.
   */
  hold(on: boolean): void {
    for (const s of this.slots) {
      if (on) s.worker.ref();
      else s.worker.unref();
    }
  }

  /** Whether close() has been called (a closed pool runs nothing). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Terminates every worker (any chunk in flight is abandoned). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
