import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { SparsityResult } from '../../../core/experiments/sparsity';
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
export const useSparsityStore = defineStore('sparsity', () => {
  const models = useModelsStore();

  /** Number of latent vectors to draw. */
  const count = ref(256);
  /** Seed of the latent draws (recorded in the result). */
  const seed = ref(0);
  const status = ref<SparsityStatus>('idle');
  /** Samples done and requested, while running. */
  const progress = ref({ done: 0, total: 0 });
  /** The latest result (also a partial one after a cancel), for the model `resultModelId`. */
  const result = shallowRef<SparsityResult>();
  const resultModelId = ref<string>();
  const error = shallowRef<AppError>();

  let runCounter = 0;
  let runningId: string | undefined;
  /** True once the worker is sampling (before that, a cancel needs no worker round trip). */
  let sampling = false;

  async function run(): Promise<void> {
    const model = models.selected;
    if (model === undefined || status.value === 'running') return;
    const runId = `sparsity-${++runCounter}`;
    runningId = runId;
    status.value = 'running';
    error.value = undefined;
    progress.value = { done: 0, total: count.value };
    try {
      const worker = analysisWorker();
      if (!workerHasModel(model.id)) {
        const data = await models.loadData(model.id);
        if (runningId !== runId) return; // cancelled while the weights were on their way
        if (!data.ok) throw data.error;
        const loaded = await worker.ensureModel(model.id, data.value.bytes, model.fileName);
        if (runningId !== runId) return;
        if (!loaded.ok) throw loaded.error;
      }
      sampling = true;
      const answer = await worker.api.sampleSparsity(
        runId,
        model.id,
        { count: count.value, seed: seed.value },
        worker.progress((done, total) => {
          if (runningId === runId) progress.value = { done, total };
        }),
      );
      if (runningId !== runId) return; // superseded by a forced cancel
      if (!answer.ok) throw answer.error;
      result.value = answer.value;
      resultModelId.value = model.id;
      status.value = answer.value.stopReason === 'cancelled' ? 'cancelled' : 'done';
    } catch (e) {
      if (runningId !== runId) return;
      const appError = e as Partial<AppError>;
      error.value =
        typeof appError.code === 'string' && typeof appError.message === 'string'
          ? (appError as AppError)
          : { code: 'internal', message: `The analysis worker failed: ${(e as Error).message ?? String(e)}` };
      status.value = 'error';
    } finally {
      if (runningId === runId) runningId = undefined;
      sampling = false;
    }
  }

  /**
   * Asks the worker to stop between steps; if it does not answer in time
   * (a step stuck in a huge model), terminates it and keeps the app usable.
   */
  function cancel(): void {
    const runId = runningId;
    if (runId === undefined) return;
    if (!sampling) {
      // Still loading the model: nothing runs in the worker yet, so stop here.
      runningId = undefined;
      status.value = 'cancelled';
      return;
    }
    const worker = analysisWorker();
    void worker.api.cancel(runId);
    setTimeout(() => {
      if (runningId !== runId) return;
      worker.terminate();
      runningId = undefined;
      status.value = 'cancelled';
    }, CANCEL_GRACE_MS);
  }

  return { count, seed, status, progress, result, resultModelId, error, run, cancel };
});
