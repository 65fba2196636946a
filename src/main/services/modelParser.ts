import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { transfer, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
// budget.ts and errors.ts, not formats/index: this module stays light (no readers, no mathjs) so
// a CLI can start the worker before loading the rest of itself.
import { DEFAULT_MODEL_BUDGET_BYTES } from '../../core/formats/budget';
import { ModelFormatError } from '../../core/formats/errors';
import type { OpenOptions } from '../../core/formats/format';
import type { ModelParseApi, ParsedModel } from '../../workers/modelParse';
import { beforeWorkerStart } from './workerIsolates';
import { sourceMapArgv } from './workerSourceMaps';

export type { ParsedModel } from '../../workers/modelParse';

/** What one model parse may spend. */
export interface ParseLimits {
  /** Wall-clock time, in milliseconds. @default 60000 */
  readonly timeLimitMs: number;
  /** Memory: the worker's JS heap and the process's growth while it parses, in MiB. @default 4096 */
  readonly memoryLimitMb: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { timeLimitMs: 60_000, memoryLimitMb: 4096 };

/** A parse went over a limit; the message names the limit and says the file was refused. */
export class ParseLimitError extends Error {
  override readonly name = 'ParseLimitError';
}

/** Parses model bytes off the main thread; rejects with ModelFormatError or ParseLimitError. */
export interface ModelParser {
  (
    bytes: Uint8Array,
    fileName: string,
    options?: OpenOptions,
    want?: { readonly json?: boolean },
  ): Promise<ParsedModel>;
  /** Starts a worker now, so that its start-up (loading the readers) overlaps other work. */
  prewarm(): void;
}

/**
 * Limits from the environment: PURSUIT_LAB_PARSE_TIME_LIMIT (seconds) and
 * PURSUIT_LAB_PARSE_MEMORY_LIMIT (MiB), for machines with more (or less) to give.
 * @throws RangeError naming a value that is not a positive number.
 */
export function parseLimitsFromEnv(env: Record<string, string | undefined>): ParseLimits {
  const read = (name: string, fallback: number, scale: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!(Number.isFinite(value) && value > 0))
      throw new RangeError(`${name} must be a positive number, got "${text}"`);
    return value * scale;
  };
  return {
    timeLimitMs: read('PURSUIT_LAB_PARSE_TIME_LIMIT', DEFAULT_PARSE_LIMITS.timeLimitMs, 1000),
    memoryLimitMb: read('PURSUIT_LAB_PARSE_MEMORY_LIMIT', DEFAULT_PARSE_LIMITS.memoryLimitMb, 1),
  };
}

/** How often the memory watchdog samples the process's resident size. */
const WATCH_INTERVAL_MS = 50;

/** How long an idle worker is kept warm for the next parse (starting one costs a module load). */
const IDLE_MS = 30_000;

/**
 * The worker entry. From source (this file is .ts: the CLI under tsx, the
 * tests) a .ts entry needs tsx inside the thread, so bin/ts-worker.mjs boots
 * it. A built host (electron-vite) has `out/main/model-parser.js`, beside the
 * entry this code was bundled into, or one level up when it went into a chunk.
 */
function workerEntry(): { url: URL; workerData?: unknown; execArgv?: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsEntry = new URL('../../workers/modelParse.node-worker.ts', here);
    return { url: new URL('../../../bin/ts-worker.mjs', here), workerData: { tsEntry: tsEntry.href } };
  }
  const candidates = [new URL('./model-parser.js', here), new URL('../model-parser.js', here)];
  return { url: candidates.find((url) => existsSync(url)) ?? candidates[0], execArgv: sourceMapArgv() };
}

const fmtSeconds = (ms: number) =>
  ms < 1000 ? `${ms} ms` : `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

/**
 * The readers' budget, lowered to the parse memory limit where that is smaller: a file whose
 * reader can tell before allocating that it needs more than the limit is refused then, naming the
 * limit, every time; the heap limit and the watchdog stay for what a reader cannot foresee (and
 * they act only once the memory is taken, a little later each time).
 */
function withinMemoryLimit(options: OpenOptions | undefined, memoryLimitMb: number): OpenOptions {
  const memoryBytes = memoryLimitMb * 1024 * 1024;
  const budget = options?.budgetBytes ?? DEFAULT_MODEL_BUDGET_BYTES;
  if (budget <= memoryBytes) return options ?? {};
  return { ...options, budgetBytes: memoryBytes, budgetName: 'parse memory limit' };
}

interface Slot {
  readonly worker: Worker;
  readonly api: Remote<ModelParseApi>;
  /** Settles once the thread has started and loaded its readers. */
  readonly ready: Promise<unknown>;
}

/**
 * A parser that runs every parse in a worker thread with a V8 heap limit
 * (`resourceLimits`), a time limit, and a watchdog on the process's resident
 * memory (typed arrays live outside the V8 heap, so the heap limit alone
 * would not see a reader filling gigabytes of Float64Array). A worker that
 * goes over a limit is terminated; a healthy one is kept warm (unreferenced,
 * so it never keeps a process alive) for the next parse. The main thread
 * stays free: other calls are answered while a model loads. Stacks of
 * unexpected errors go to `log`, never into an error's message.
 */
export function createModelParser(
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
  log: (text: string) => void = (text) => console.error(text),
): ModelParser {
  const memoryRefusal = () =>
    new ParseLimitError(
      `model parsing needed more than ${limits.memoryLimitMb} MB (the parse memory limit); the file was refused`,
    );
  const timeRefusal = () =>
    new ParseLimitError(
      `model parsing took longer than ${fmtSeconds(limits.timeLimitMs)} (the parse time limit); the file was refused`,
    );

  let idle: Slot | undefined;
  let idleTimer: NodeJS.Timeout | undefined;

  function spawn(): Slot {
    const entry = workerEntry();
    beforeWorkerStart();
    const worker = new Worker(entry.url, {
      workerData: entry.workerData,
      execArgv: entry.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryLimitMb },
    });
    // A worker can report an error after its parse has ended: V8 terminates a thread that reached
    // its heap limit only at its next interrupt check, which may come after the answer (or the
    // watchdog's refusal) is out and the parse's own listener is gone. With no listener left, that
    // 'error' event would be thrown in the host, and take it down; here it is only logged (and
    // only where no parse's own listener is there to report it).
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code !== 'ERR_WORKER_OUT_OF_MEMORY' && worker.listenerCount('error') === 1)
        log(`model parser worker failed after its parse: ${e.stack ?? e.message}`);
    });
    const api = wrap<ModelParseApi>(nodeEndpoint(worker));
    const ready = api.ready();
    ready.catch(() => undefined);
    return { worker, api, ready };
  }

  function release(slot: Slot, healthy: boolean): void {
    if (!healthy || idle !== undefined) {
      void slot.worker.terminate();
      return;
    }
    idle = slot;
    slot.worker.unref();
    idleTimer = setTimeout(() => {
      if (idle === slot) idle = undefined;
      void slot.worker.terminate();
    }, IDLE_MS);
    idleTimer.unref();
  }

  const parse = async (
    bytes: Uint8Array,
    fileName: string,
    options?: OpenOptions,
    want?: { readonly json?: boolean },
  ): Promise<ParsedModel> => {
    const slot = idle ?? spawn();
    idle = undefined;
    clearTimeout(idleTimer);
    slot.worker.ref();
    // One copy into a buffer of our own (not Buffer#slice, which is a view), then moved to the
    // worker, not cloned again; the caller's bytes stay intact.
    const own = new Uint8Array(bytes);
    const readOptions = withinMemoryLimit(options, limits.memoryLimitMb);
    let timer: NodeJS.Timeout | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    let onError: ((e: Error & { code?: string }) => void) | undefined;
    let onExit: ((code: number) => void) | undefined;
    let refuse!: (e: Error) => void;
    const stopped = new Promise<never>((_resolve, reject) => {
      refuse = reject;
      timer = setTimeout(() => reject(timeRefusal()), limits.timeLimitMs);
      onError = (e) => {
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') return reject(memoryRefusal());
        log(`model parser worker failed on "${fileName}": ${e.stack ?? e.message}`);
        reject(new Error(`the model parser failed: ${e.message.split('\n')[0]}`));
      };
      onExit = (code) => reject(new Error(`the model parser stopped unexpectedly (exit code ${code})`));
      slot.worker.on('error', onError);
      slot.worker.on('exit', onExit);
    });
    let healthy = false;
    try {
      // The watchdog measures the parse, not the start of a fresh thread (tens of MB, and more on
      // some machines than others): it starts once the thread is ready. The time limit counts both.
      await Promise.race([slot.ready, stopped]);
      const baseline = process.memoryUsage.rss();
      watchdog = setInterval(() => {
        if (process.memoryUsage.rss() - baseline > limits.memoryLimitMb * 1024 * 1024) refuse(memoryRefusal());
      }, WATCH_INTERVAL_MS);
      const outcome = await Promise.race([
        slot.api.parse(
          transfer({ bytes: own, fileName, options: readOptions, wantJson: want?.json === true }, [own.buffer]),
        ),
        stopped,
      ]);
      healthy = true;
      if (outcome.ok) return outcome.value;
      const failure = outcome.error;
      if (failure.kind === 'format') throw new ModelFormatError(failure.format, failure.message, failure.needs);
      // Hostile bytes that break a reader (a RangeError, a stack overflow) are a refusal of the
      // file, in one line; the stack is for the log.
      log(`model reader failed on "${fileName}": ${failure.stack ?? failure.message}`);
      throw new ModelFormatError('unknown', `"${fileName}" could not be read: ${failure.message}`);
    } finally {
      clearTimeout(timer);
      clearInterval(watchdog);
      slot.worker.off('error', onError!);
      slot.worker.off('exit', onExit!);
      stopped.catch(() => undefined);
      release(slot, healthy);
    }
  };
  return Object.assign(parse, {
    prewarm() {
      if (idle === undefined) release(spawn(), true);
    },
  });
}

let shared: ModelParser | undefined;

/**
 * The process's parser, with the limits from the environment
 * (parseLimitsFromEnv), shared so that its warm worker is.
 * @throws RangeError when a limit in the environment is not a positive number.
 */
export function defaultModelParser(): ModelParser {
  shared ??= createModelParser(parseLimitsFromEnv(process.env));
  return shared;
}
