/**
 * A long computation cut into steps, so that whoever runs it (a worker, the
 * CLI, a test) can report progress and stop between steps without the core
 * knowing about threads or messages.
 */
export interface Stepper<R> {
  /** Units of work in all (e.g. signals). */
  readonly total: number;
  /** Units finished so far. */
  readonly done: number;
  /** Does the next chunk of work. Call only while `done < total`. */
  step(): void;
  /** The result of what is done so far. */
  result(stopReason: StopReason): R;
}

/** Why a run ended: it finished every step, or it was cancelled. */
export type StopReason = 'completed' | 'cancelled';

/** Anything with an `aborted` flag (an AbortSignal qualifies). */
export interface AbortFlag {
  readonly aborted: boolean;
}

export interface DriveHooks {
  /**
   * Called after every step with the units done and the total. A returned
   * promise is awaited before the next step: a listener on another thread
   * (a Comlink proxy) thereby sees the last progress before the result, and a
   * slow listener slows the run instead of queueing messages.
   */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Checked before every step; when set the run stops with `cancelled`. */
  signal?: AbortFlag;
  /**
   * Awaited between steps so the host can deliver messages (a cancel request)
   * to a busy thread; e.g. `() => new Promise((r) => setTimeout(r, 0))`.
   */
  pause?: () => Promise<void>;
}

/** Runs a stepper to completion or cancellation. */
export async function drive<R>(stepper: Stepper<R>, hooks: DriveHooks = {}): Promise<R> {
  while (stepper.done < stepper.total) {
    if (hooks.signal?.aborted) return stepper.result('cancelled');
    stepper.step();
    await hooks.onProgress?.(stepper.done, stepper.total);
    if (hooks.pause !== undefined) await hooks.pause();
  }
  return stepper.result(hooks.signal?.aborted ? 'cancelled' : 'completed');
}

/** Runs a stepper to completion synchronously (tests, small CLI runs). */
export function runToEnd<R>(stepper: Stepper<R>): R {
  while (stepper.done < stepper.total) stepper.step();
  return stepper.result('completed');
}
