import { shallowRef, watch } from 'vue';
import type { InvertReport } from '../../../core/experiments/invert';
import type { SignalDraw } from '../../../core/experiments/reconstruct';
import type { MethodId } from '../../../core/pursuit/types';
import type { ModelInfo } from '../../../shared/contract';
import type { ReconstructionRow } from '../../../shared/figures';
import type { AppError } from '../../../shared/result';
import { analysisWorker, workerHasModel } from '../api/analysisWorker';
import { useModelsStore } from '../stores/models';

/** Whether a report recorded what redrawing its signals needs: ẑ per signal, and how they were drawn (one by one, or the chunk size). */
export function canReconstruct(report: InvertReport | undefined): boolean {
  const first = Object.values(report?.methods ?? {})[0]?.signals[0];
  const drawn = report?.settings.draws === 'signal' || report?.settings.chunkSize !== undefined;
  return drawn && first?.zHat !== undefined;
}

/**
 * The signals `indices` of an invert run, redrawn by the analysis worker
 * (truth, observation, each method's G(ẑ): core/experiments/reconstruct.ts)
 * with the SNRs the report recorded. Nothing is computed on the main thread;
 * a newer request supersedes a pending one.
 */
export function useReconstructions(
  model: () => ModelInfo | undefined,
  report: () => InvertReport | undefined,
  indices: () => readonly number[],
) {
  const models = useModelsStore();
  /** The requested signals, in the order asked; undefined while loading. */
  const rows = shallowRef<ReconstructionRow[]>();
  const loading = shallowRef(false);
  const error = shallowRef<AppError>();

  watch(
    [model, report, () => indices().join(',')],
    async ([m, r], _old, onCleanup) => {
      let stale = false;
      onCleanup(() => (stale = true));
      rows.value = undefined;
      error.value = undefined;
      const wanted = indices();
      if (m === undefined || r === undefined || !canReconstruct(r) || wanted.length === 0) return;
      loading.value = true;
      try {
        const worker = analysisWorker();
        if (!workerHasModel(m.id)) {
          const data = await models.loadBlob(m.id);
          if (stale) return;
          if (!data.ok) throw data.error;
          const loaded = await worker.ensureModel(m.id, data.value, m.fileName);
          if (!loaded.ok) throw loaded.error;
        }
        const methods = Object.keys(r.methods) as MethodId[];
        const s = r.settings;
        const draw: SignalDraw = {
          count: s.count,
          seed: s.seed,
          ...(s.draws === 'signal' ? { draws: s.draws } : { chunkSize: s.chunkSize! }),
          mask: s.mask,
          noise: s.noise,
        };
        const answer = await worker.api.reconstructSignals(
          m.id,
          draw,
          wanted.map((index) => ({
            index,
            zHats: Object.fromEntries(methods.map((k) => [k, r.methods[k]!.signals[index].zHat!])),
          })),
        );
        if (stale) return;
        if (!answer.ok) throw answer.error;
        rows.value = answer.value.map((sig) => ({
          index: sig.index,
          truth: Array.from(sig.truth),
          observed: Array.from(sig.observed, (v, i) => (sig.known === undefined || sig.known[i] ? v : null)),
          outputs: Object.fromEntries(methods.map((k) => [k, Array.from(sig.methods[k]!.output)])),
          snrImage: Object.fromEntries(methods.map((k) => [k, r.methods[k]!.signals[sig.index].snrImage])),
        }));
      } catch (e) {
        if (stale) return;
        const appError = e as Partial<AppError>;
        error.value =
          typeof appError.code === 'string' && typeof appError.message === 'string'
            ? (appError as AppError)
            : { code: 'internal', message: `The analysis worker failed: ${(e as Error).message ?? String(e)}` };
      } finally {
        if (!stale) loading.value = false;
      }
    },
    { immediate: true },
  );

  return { rows, loading, error };
}
