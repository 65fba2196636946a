import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HostInfo, ImportRequest, ModelData, ModelInfo } from '../../../shared/contract';
import { modelLabels } from '../../../shared/modelNames';
import type { AppError, Result } from '../../../shared/result';
import type { BridgeClient } from '../api/bridgeClient';
import { useHostClient } from '../api/host';

/** The model library: what the host knows, which model is selected, and import state. */
export const useModelsStore = defineStore('models', () => {
  const host = useHostClient();

  /** Every model the host lists (bundled first). */
  const models = shallowRef<ModelInfo[]>([]);
  /** Id of the model the user is looking at. */
  const selectedId = ref<string>();
  /** Host facts (Electron or browser, workspace folder). */
  const hostInfo = shallowRef<HostInfo>();
  /** True while the list is being fetched. */
  const loading = ref(false);
  /** True while a file is being imported. */
  const importing = ref(false);
  /** The last failure of a list or import, shown to the user until dismissed. */
  const error = shallowRef<AppError>();
  /**
   * A weights-only file (safetensors, npz) waiting for the user to choose its
   * output activation: the file cannot tell it and came without a sidecar.
   */
  const pendingImport = shallowRef<{ fileName: string; bytes: Uint8Array; message: string }>();

  /** True while a model is being removed. */
  const removing = ref(false);

  const selected = computed(() => models.value.find((m) => m.id === selectedId.value));
  /** Per model id, its name and what tells it apart from same-named models. */
  const labels = computed(() => modelLabels(models.value));

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const [info, list] = await Promise.all([host.hostInfo(), host.listModels()]);
      if (info.ok) hostInfo.value = info.value;
      if (!list.ok) {
        error.value = list.error;
        return;
      }
      models.value = list.value;
      if (selected.value === undefined) selectedId.value = list.value[0]?.id;
    } finally {
      loading.value = false;
    }
  }

  async function runImport(request: ImportRequest): Promise<void> {
    importing.value = true;
    try {
      const result = await host.importModel(request);
      if (!result.ok) {
        if (result.error.code === 'needs-output-activation') {
          pendingImport.value = { fileName: request.fileName, bytes: request.bytes, message: result.error.message };
          error.value = undefined;
        } else error.value = result.error;
        return;
      }
      error.value = undefined;
      pendingImport.value = undefined;
      await refresh();
      selectedId.value = result.value.id;
    } finally {
      importing.value = false;
    }
  }

  /**
   * Imports files the user picked or dropped: one model file, optionally with
   * its architecture sidecar (a second file named *.arch.json).
   */
  async function importFiles(files: readonly File[]): Promise<void> {
    const sidecar = files.find((f) => f.name.endsWith('.arch.json'));
    const model = files.find((f) => f !== sidecar) ?? sidecar;
    if (model === undefined) return;
    const bytes = new Uint8Array(await model.arrayBuffer());
    const architecture = sidecar && sidecar !== model ? new Uint8Array(await sidecar.arrayBuffer()) : undefined;
    await runImport({ fileName: model.name, bytes, ...(architecture ? { architecture } : {}) });
  }

  /**
   * Completes a pending weights-only import with the output activation the
   * user chose and, when given, the image shape [height, width] to record with it.
   */
  async function importWithOutput(output: string, imageShape?: readonly [number, number]): Promise<void> {
    const pending = pendingImport.value;
    if (pending === undefined) return;
    await runImport({
      fileName: pending.fileName,
      bytes: pending.bytes,
      output,
      ...(imageShape ? { imageShape } : {}),
    });
  }

  function cancelPendingImport(): void {
    pendingImport.value = undefined;
  }

  /** Electron: shows the native dialog and imports the chosen file. */
  async function openWithDialog(): Promise<void> {
    const picked = await host.openModelDialog();
    if (!picked.ok) {
      error.value = picked.error;
      return;
    }
    if (picked.value !== null) await runImport(picked.value);
  }

  /**
   * Removes an imported model from the workspace; the selection moves to the
   * first model when the removed one was selected.
   */
  async function remove(id: string): Promise<boolean> {
    removing.value = true;
    try {
      const result = await host.deleteModel({ id });
      if (!result.ok) {
        error.value = result.error;
        return false;
      }
      error.value = undefined;
      models.value = models.value.filter((m) => m.id !== id);
      if (selectedId.value === id) selectedId.value = models.value[0]?.id;
      return true;
    } finally {
      removing.value = false;
    }
  }

  function select(id: string): void {
    selectedId.value = id;
  }

  /**
   * A model's weights as a Blob, for the analysis worker to read: the page
   * never holds them as an ArrayBuffer (see BridgeClient.getModelBlob). In
   * Electron the IPC answer is a Uint8Array, wrapped (one copy, no parse).
   */
  async function loadBlob(id: string): Promise<Result<Blob>> {
    if ('getModelBlob' in host) {
      const answer = await (host as BridgeClient).getModelBlob({ id });
      return answer.ok ? { ok: true, value: answer.value.bytes } : answer;
    }
    const data: Result<ModelData> = await host.getModelData({ id });
    return data.ok ? { ok: true, value: new Blob([data.value.bytes as Uint8Array<ArrayBuffer>]) } : data;
  }

  function dismissError(): void {
    error.value = undefined;
  }

  host.on('models-changed', ({ models: list }) => {
    models.value = list;
  });

  return {
    models,
    selectedId,
    selected,
    hostInfo,
    loading,
    importing,
    error,
    pendingImport,
    removing,
    labels,
    refresh,
    remove,
    importFiles,
    importWithOutput,
    cancelPendingImport,
    openWithDialog,
    select,
    loadBlob,
    dismissError,
  };
});
