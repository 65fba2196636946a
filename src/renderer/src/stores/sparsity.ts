import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { SparsityResult } from '../../../core/experiments/sparsity';
import type { ModelInfo } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';
import { analysisWorker, workerHasModel } from '../api/analysisWorker';
import { useModelsStore } from './models';

export type SparsityStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/**
 * Grace period for a cooperative cancel before the worker is terminated. A
 * step takes milliseconds, so only a hung worker needs it; terminating loses
 * the partial result, so on a loaded machine it is better to wait a little.
 */
const CANCEL_GRACE_MS = 8000;

/**
 * "Sample sparsity": draws N latent vectors in the analysis Web Worker and
 * keeps the per-layer sparsity it returns. The UI thread only waits.
 */
/** One model's sparsity state: its latest result (also a partial one after a cancel) or error. */
export interface ModelSparsity {
  readonly status: SparsityStatus;
  readonly result?: SparsityResult;
  readonly error?: AppError;
}

const IDLE: ModelSparsity = { status: 'idle' };

export const useSparsityStore = defineStore('sparsity', () => {
  const models = useModelsStore();

  /** Number of latent vectors to draw. */
  const count = ref(256);
  /** Seed of the latent draws (recorded in the result). */
  const seed = ref(0);
  /**
   * Per model id, its status, result and error. Kept per model so that a
   * result is only ever shown under the model it was sampled from, also when
   * the user switches models while a run is on its way.
   */
  const byModel = shallowRef(new Map<string, ModelSparsity>());
  /** The model being sampled (one run at a time: the worker is shared). */
  const runningModelId = ref<string>();
  /** Samples done and requested, of the running model. */
  const progress = ref({ done: 0, total: 0 });

  /** The state of model `id` (idle when never sampled). */
  const of = (id: string | undefined): ModelSparsity => (id === undefined ? IDLE : (byModel.value.get(id) ?? IDLE));

  function set(id: string, next: ModelSparsity): void {
    const map = new Map(byModel.value);
    map.set(id, next);
    byModel.value = map;
  }

  let runCounter = 0;
  let runningId: string | undefined;
  /** True once the worker is sampling (before that, a cancel needs no worker round trip). */
  let sampling = false;

  /** Samples model `model` (by default the selected one); one run at a time. */
  async function run(model: ModelInfo | undefined = models.selected): Promise<void> {
    if (model === undefined || runningModelId.value !== undefined) return;
    const modelId = model.id;
    const runId = `sparsity-${++runCounter}`;
    runningId = runId;
    runningModelId.value = modelId;
    const previous = of(modelId).result;
    set(modelId, { status: 'running', ...(previous !== undefined ? { result: previous } : {}) });
    progress.value = { done: 0, total: count.value };
    try {
      const worker = analysisWorker();
      if (!workerHasModel(modelId)) {
        // The weights go to the worker as a Blob it reads itself: nothing big is read or parsed here.
        const data = await models.loadBlob(modelId);
        if (runningId !== runId) return; // cancelled while the weights were on their way
        if (!data.ok) throw data.error;
        const loaded = await worker.ensureModel(modelId, data.value, model.fileName);
        if (runningId !== runId) return;
        if (!loaded.ok) throw loaded.error;
      }
      sampling = true;
      const answer = await worker.api.sampleSparsity(
        runId,
        modelId,
        { count: count.value, seed: seed.value },
        worker.progress((done, total) => {
          if (runningId === runId) progress.value = { done, total };
        }),
      );
      if (runningId !== runId) return; // superseded by a forced cancel
      if (!answer.ok) throw answer.error;
      set(modelId, { status: answer.value.stopReason === 'cancelled' ? 'cancelled' : 'done', result: answer.value });
    } catch (e) {
      if (runningId !== runId) return;
      const appError = e as Partial<AppError>;
      const error =
        typeof appError.code === 'string' && typeof appError.message === 'string'
          ? (appError as AppError)
          : { code: 'internal' as const, message: `The analysis worker failed: ${(e as Error).message ?? String(e)}` };
      set(modelId, { status: 'error', error, ...(previous !== undefined ? { result: previous } : {}) });
    } finally {
      if (runningId === runId) {
        runningId = undefined;
        runningModelId.value = undefined;
      }
      sampling = false;
    }
  }

  /** A run stopped before the worker answered: no result of it to show (an earlier one would read as this run's). */
  function stopped(modelId: string): void {
    set(modelId, { status: 'cancelled' });
    runningId = undefined;
    runningModelId.value = undefined;
  }

  /**
   * Asks the worker to stop between steps; if it does not answer in time
   * (a step stuck in a huge model), terminates it and keeps the app usable.
   */
  function cancel(): void {
    const runId = runningId;
    const modelId = runningModelId.value;
    if (runId === undefined || modelId === undefined) return;
    if (!sampling) {
      // Still loading the model: nothing runs in the worker yet, so stop here.
      stopped(modelId);
      return;
    }
    const worker = analysisWorker();
    void worker.api.cancel(runId);
    setTimeout(() => {
      if (runningId !== runId) return;
      worker.terminate();
      stopped(modelId);
    }, CANCEL_GRACE_MS);
  }

  /** Forgets model `id`'s error. */
  function dismissError(id: string): void {
    const state = of(id);
    set(id, {
      status: state.result !== undefined ? 'done' : 'idle',
      ...(state.result ? { result: state.result } : {}),
    });
  }

  return { count, seed, progress, runningModelId, byModel, of, run, cancel, dismissError };
});
