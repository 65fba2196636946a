import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ModelInfo } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';
import type { ProjectInputPreview } from '../../../workers/projectInput';
import { analysisWorker } from '../api/analysisWorker';

/** File names "your own image" takes as a signal; anything else dropped is a model to import. */
export const SIGNAL_FILE = /\.(png|jpe?g|npy)$/i;

/**
 * "Invert your own image": the signal file the user dropped or picked (and
 * an optional mask image), decoded in the analysis worker against the
 * selected model. The decoded fields become a `project` job's spec.
 */
export const useProjectStore = defineStore('project', () => {
  /** The signal file (PNG, JPEG, .npy or a JSON list). */
  const file = shallowRef<File>();
  /** An optional mask image: black pixels are hidden. */
  const mask = shallowRef<File>();
  /** The decoded input for `decodedFor`'s model. */
  const preview = shallowRef<ProjectInputPreview>();
  /** Model id the preview was decoded for (n and the pixel range depend on it). */
  const decodedFor = ref<string>();
  const decoding = ref(false);
  /** Why the file could not be used (wrong size, unreadable), shown until the next file. */
  const error = shallowRef<AppError>();

  let counter = 0;

  /** Decodes the chosen files for `model` in the worker (the renderer never runs core). */
  async function decode(model: ModelInfo): Promise<void> {
    const chosen = file.value;
    if (chosen === undefined) return;
    const token = ++counter;
    decoding.value = true;
    error.value = undefined;
    preview.value = undefined;
    try {
      // Files are Blobs: the worker reads them, the page never does.
      const answer = await analysisWorker().api.readProjectInput({
        fileName: chosen.name,
        bytes: chosen,
        n: model.summary.outputDim,
        output: model.summary.outputActivation,
        ...(mask.value ? { mask: { fileName: mask.value.name, bytes: mask.value } } : {}),
      });
      if (token !== counter) return; // another file or model came meanwhile
      if (answer.ok) {
        preview.value = answer.value;
        decodedFor.value = model.id;
      } else error.value = answer.error;
    } catch (e) {
      if (token === counter) error.value = { code: 'internal', message: `Decoding failed: ${(e as Error).message}` };
    } finally {
      if (token === counter) decoding.value = false;
    }
  }

  /** Takes dropped or picked files: a signal file, and a second image as its mask. */
  function accept(files: readonly File[]): void {
    if (files.length === 0) return;
    file.value = files[0];
    mask.value = files[1];
    preview.value = undefined;
    decodedFor.value = undefined;
  }

  function setMask(next: File | undefined): void {
    mask.value = next;
    preview.value = undefined;
    decodedFor.value = undefined;
  }

  return { file, mask, preview, decodedFor, decoding, error, decode, accept, setMask };
});
