import type { WorkerPool } from './pool';

/**
 * How long a kept pool waits for the next run before its threads end. Long enough for a user
 * clicking one signal after another in the wizard; short enough that a model left open does
 * not hold its workers' memory (each has the weights, their Gram matrices and the kernel's
 * packed blocks) for the rest of the session.
 */
export const POOL_IDLE_MS = 2 * 60 * 1000;

/**
 * Keeps one started worker pool between the runs of the app's jobs host. A pool's start — the
 * threads, their code, the model sent to each, the first calls compiled — costs about 0.3 s on
 * two cores, more than a one-signal inversion or an Oracle run itself; the next run of the same
 * model takes the kept pool, where its size suits, and skips it. One pool at a time: a run of
 * another model or size closes it, as do IDLE_MS unused and the host's close. An idle kept pool
 * holds no reference on the process (it can exit), and a pool a run cancelled or failed is never
 * kept (the engine closes it: its threads may be mid-chunk or broken).
 */
export class PoolKeeper {
  private kept: { model: string; pool: WorkerPool; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(private readonly idleMs = POOL_IDLE_MS) {}

  /**
   * The kept pool of `model` (its SHA-256) if it `fits` the run (its size), taken out of the
   * keeper; else undefined, and a kept pool that does not serve is closed.
   */
  take(model: string, fits: (pool: WorkerPool) => boolean): WorkerPool | undefined {
    const kept = this.kept;
    if (kept === undefined) return undefined;
    this.kept = undefined;
    clearTimeout(kept.timer);
    if (kept.model !== model || kept.pool.isClosed || !fits(kept.pool)) {
      void kept.pool.close();
      return undefined;
    }
    kept.pool.hold(true);
    return kept.pool;
  }

  /** Keeps `pool`, whose threads hold `model`, for its next run; closes any pool kept before. An idle time of 0 keeps none. */
  keep(model: string, pool: WorkerPool): void {
    if (this.kept !== undefined) {
      clearTimeout(this.kept.timer);
      void this.kept.pool.close();
      this.kept = undefined;
    }
    if (this.idleMs <= 0) {
      void pool.close();
      return;
    }
    pool.hold(false);
    const timer = setTimeout(() => {
      if (this.kept?.pool !== pool) return;
      this.kept = undefined;
      void pool.close();
    }, this.idleMs);
    timer.unref?.();
    this.kept = { model, pool, timer };
  }

  /** The kept pool's model and size, if one is kept. */
  get current(): { readonly model: string; readonly workers: number } | undefined {
    return this.kept === undefined ? undefined : { model: this.kept.model, workers: this.kept.pool.workers };
  }

  /** Whether `pool` is the one kept. */
  holds(pool: WorkerPool): boolean {
    return this.kept?.pool === pool;
  }

  async close(): Promise<void> {
    const kept = this.kept;
    this.kept = undefined;
    if (kept === undefined) return;
    clearTimeout(kept.timer);
    await kept.pool.close();
  }
}
