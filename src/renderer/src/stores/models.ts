import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HostInfo, ModelData, ModelInfo } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';
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

  const selected = computed(() => models.value.find((m) => m.id === selectedId.value));

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

  async function finishImport(result: Result<ModelInfo | null>): Promise<void> {
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    if (result.value === null) return; // dialog cancelled
    error.value = undefined;
    await refresh();
    selectedId.value = result.value.id;
  }

  /** Imports a file the user picked or dropped. */
  async function importFile(file: File): Promise<void> {
    importing.value = true;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      await finishImport(await host.importModel({ fileName: file.name, bytes }));
    } finally {
      importing.value = false;
    }
  }

  /** Electron: shows the native dialog and imports the chosen file. */
  async function openWithDialog(): Promise<void> {
    importing.value = true;
    try {
      await finishImport(await host.openModelDialog());
    } finally {
      importing.value = false;
    }
  }

  function select(id: string): void {
    selectedId.value = id;
  }

  function loadData(id: string): Promise<Result<ModelData>> {
    return host.getModelData({ id });
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
    refresh,
    importFile,
    openWithDialog,
    select,
    loadData,
    dismissError,
  };
});
