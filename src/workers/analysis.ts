/**
 * The worker's API, free of any environment: the browser Web Worker entry
 * (analysis.worker.ts) and the Node worker_threads entry (analysis.node-worker.ts)
 * expose this one object over Comlink. Its job methods come from jobs.ts, which
 * the job engine's pool entry (jobs.node-worker.ts) exposes alone: the renderer's
 * analyses and the host's job chunks run the same module.
 */
import {
  createSparsitySampler,
  drive,
  reconstructSignal,
  type ReconstructedSignal,
  type SignalDraw,
  type SparsityResult,
  type SparsitySpec,
} from '../core/experiments/index';
import { ModelFormatError, openModel } from '../core/formats/index';
import { productKernel } from '../core/linalg/gemm';
import { wasmUnavailableReason } from '../core/linalg/wasmKernel';
import { withCustomActivations } from '../core/model/customActivationLoader';
import type { Generator } from '../core/model/generator';
import { summarizeGenerator, type GeneratorSummary } from '../core/model/summary';
import type { MethodId } from '../core/pursuit/types';
import { err, ok, type Result } from '../shared/result';
import { createJobApi, type JobFaults } from './jobs';
import { readProjectInput } from './projectInput';

/**
 * Progress callback; called at most every `PROGRESS_INTERVAL_MS` and once at
 * the end. Through Comlink it returns a promise, which the run awaits, so the
 * final call reaches the listener before the result does (the proxy has its
 * own message port, and nothing orders two ports' messages otherwise).
 */
export type ProgressListener = (done: number, total: number) => void | Promise<void>;

/** Minimum time between progress messages: enough for a smooth bar, few enough not to flood the port. */
export const PROGRESS_INTERVAL_MS = 100;

/** Lets queued messages (a cancel request) in between steps. */
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * @param faults test-only faults of the job methods (jobs.ts), from the Node entry's environment.
 * @param exit how a job fault ends the thread (the Node entry passes process.exit).
 */
export function createAnalysisApi(faults: JobFaults = {}, exit: (code: number) => void = () => undefined) {
  const models = new Map<string, Generator>();
  const cancelled = new Set<string>();

  function throttled(listener: ProgressListener | undefined): ProgressListener | undefined {
    if (listener === undefined) return undefined;
    let last = 0;
    return (done, total) => {
      const now = Date.now();
      if (done === total || now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        return listener(done, total);
      }
    };
  }

  /**
   * Parses model bytes (any supported format) and keeps the generator under
   * `key` for later calls, so the weights cross the thread boundary once.
   */
  async function loadModel(key: string, bytes: Uint8Array, fileName: string): Promise<Result<GeneratorSummary>> {
    try {
      const { generator } = await withCustomActivations(() => openModel(bytes, fileName));
      models.set(key, generator);
      return ok(summarizeGenerator(generator));
    } catch (e) {
      if (e instanceof ModelFormatError) return err('model-format', e.message);
      throw e;
    }
  }

  return {
    loadModel,

    /**
     * `loadModel` from a Blob, read here: the page hands over a handle and
     * never holds the bytes itself (reading and transferring a large body
     * there blocks the window).
     */
    async loadModelBlob(key: string, blob: Blob, fileName: string): Promise<Result<GeneratorSummary>> {
      return loadModel(key, new Uint8Array(await blob.arrayBuffer()), fileName);
    },

    /** Forgets a model loaded with `loadModel`. */
    unloadModel(key: string): void {
      models.delete(key);
    },

    /**
     * Samples per-layer sparsity (see core/experiments/sparsity). Cancelling
     * with `cancel(runId)` stops it between steps and returns what was done,
     * with `stopReason: 'cancelled'`.
     */
    async sampleSparsity(
      runId: string,
      modelKey: string,
      spec: SparsitySpec,
      onProgress?: ProgressListener,
    ): Promise<Result<SparsityResult>> {
      const gen = models.get(modelKey);
      if (gen === undefined) return err('not-found', `no model loaded under "${modelKey}"`);
      let stepper;
      try {
        stepper = createSparsitySampler(gen, spec);
      } catch (e) {
        if (e instanceof RangeError) return err('bad-request', e.message);
        throw e;
      }
      const signal = {
        get aborted() {
          return cancelled.has(runId);
        },
      };
      try {
        return ok(await drive(stepper, { onProgress: throttled(onProgress), signal, pause }));
      } finally {
        cancelled.delete(runId);
      }
    },

    /**
     * Redraws signals of an invert run — truth G(z), the observation and its
     * mask, each method's G(ẑ) from the recorded ẑ — with the model loaded
     * under `modelKey` (core/experiments/reconstruct.ts), so a viewer pages
     * through every signal without the main thread computing anything.
     */
    reconstructSignals(
      modelKey: string,
      draw: SignalDraw,
      signals: readonly { index: number; zHats: Partial<Record<MethodId, readonly (number | null)[]>> }[],
    ): Result<ReconstructedSignal[]> {
      const gen = models.get(modelKey);
      if (gen === undefined) return err('not-found', `no model loaded under "${modelKey}"`);
      try {
        return ok(signals.map((s) => reconstructSignal(gen, draw, s.index, s.zHats)));
      } catch (e) {
        if (e instanceof RangeError) return err('bad-request', e.message);
        throw e;
      }
    },

    /**
     * The product kernel this worker's solvers use, and why the WebAssembly
     * one is not used where it is not (e.g. a CSP forbidding compilation).
     */
    productKernel(): { name: string; fallbackReason?: string } {
      const name = productKernel().name;
      return wasmUnavailableReason === undefined ? { name } : { name, fallbackReason: wasmUnavailableReason };
    },

    /** Decodes a signal file (and mask) for a `project` job: spec fields and a preview (projectInput.ts). */
    readProjectInput,

    /** Asks the run `runId` to stop at its next step. */
    cancel(runId: string): void {
      cancelled.add(runId);
    },

    // The job engine's chunk methods (loadJobModel, runChunk).
    ...createJobApi(faults, exit),
  };
}

export type AnalysisApi = ReturnType<typeof createAnalysisApi>;
