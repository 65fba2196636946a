import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { GeneratorSummary } from '../../../core/model/summary';
import type { Result } from '../../../shared/result';
import type { AnalysisApi, ProgressListener } from '../../../workers/analysis';

/**
 * The analysis Web Worker, started lazily. If the worker dies (an uncaught
 * error, out of memory), the next call starts a fresh one.
 */
export interface AnalysisWorker {
  readonly api: Remote<AnalysisApi>;
  /**
   * Ensures `key` is loaded in the worker. A Blob is passed as a handle and
   * read by the worker; bytes are transferred, not copied.
   */
  ensureModel(key: string, source: Blob | Uint8Array, fileName: string): Promise<Result<GeneratorSummary>>;
  progress(listener: ProgressListener): ProgressListener;
  /** Stops the worker at once (last resort when cooperative cancel does not answer). */
  terminate(): void;
}

let current: { worker: Worker; api: Remote<AnalysisApi>; loaded: Set<string> } | undefined;

function start() {
  const worker = new Worker(new URL('../../../workers/analysis.worker.ts', import.meta.url), {
    type: 'module',
    name: 'analysis',
  });
  const api = wrap<AnalysisApi>(worker);
  const state = { worker, api, loaded: new Set<string>() };
  worker.addEventListener('error', () => {
    if (current === state) current = undefined;
  });
  return state;
}

export function analysisWorker(): AnalysisWorker {
  current ??= start();
  const state = current;
  return {
    api: state.api,
    async ensureModel(key, source, fileName) {
      const result =
        source instanceof Uint8Array
          ? await state.api.loadModel(key, transfer(source, [source.buffer]), fileName)
          : await state.api.loadModelBlob(key, source, fileName);
      if (result.ok) state.loaded.add(key);
      return result;
    },
    progress: (listener) => proxy(listener),
    terminate() {
      state.api[releaseProxy]();
      state.worker.terminate();
      if (current === state) current = undefined;
    },
  };
}

/** True when the current worker already holds model `key`. */
export function workerHasModel(key: string): boolean {
  return current?.loaded.has(key) ?? false;
}
