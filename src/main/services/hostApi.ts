import { ModelFormatError, type OpenOptions } from '../../core/formats/index';
import { outputActivationByName } from '../../core/formats/stateDict';
import type { HostApi, HostInfo, PickedFile } from '../../shared/contract';
import { err, ok, type Result } from '../../shared/result';
import type { EventHub } from './events';
import type { ModelStore } from './modelStore';

export interface HostApiDeps {
  readonly store: ModelStore;
  readonly events: EventHub;
  readonly info: HostInfo;
  /** The host's native open dialog (Electron); absent in browser mode. Resolves null on cancel. */
  readonly pickModelFile?: () => Promise<PickedFile | null>;
}

/** Turns a thrown error into the Result a renderer can show. */
function failure<T>(e: unknown): Result<T> {
  if (e instanceof ModelFormatError)
    return err(e.needs === 'output-activation' ? 'needs-output-activation' : 'model-format', e.message);
  const error = e as NodeJS.ErrnoException;
  if (typeof error?.code === 'string' && typeof error.syscall === 'string') {
    return err('io', `Workspace ${error.syscall} failed: ${error.message}`);
  }
  return err('internal', `Unexpected error: ${(e as Error)?.message ?? String(e)}`, (e as Error)?.stack);
}

async function guarded<T>(run: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await run();
  } catch (e) {
    return failure(e);
  }
}

/**
 * The host side of the contract, over plain-Node services. Electron's IPC
 * and the browser-mode bridge both serve this object; neither adds logic.
 */
export function createHostApi(deps: HostApiDeps): HostApi {
  const { store, events } = deps;

  async function importBytes(fileName: string, bytes: Uint8Array, options?: OpenOptions) {
    const { info, created } = await store.import(fileName, bytes, options);
    if (created) events.emit('models-changed', { models: await store.list() });
    return info;
  }

  return {
    hostInfo: () => Promise.resolve(ok(deps.info)),
    listModels: () => guarded(async () => ok(await store.list())),
    importModel: ({ fileName, bytes, architecture, output }) =>
      guarded(async () => {
        const activation = output === undefined ? undefined : outputActivationByName(output);
        return ok(await importBytes(fileName, bytes, { architecture, output: activation }));
      }),
    openModelDialog: () =>
      guarded(async () => {
        if (deps.pickModelFile === undefined) {
          return err('unsupported', 'This host has no native file dialog; use the file picker or drop a file.');
        }
        return ok(await deps.pickModelFile());
      }),
    getModelData: ({ id }) =>
      guarded(async () => {
        const data = await store.getData(id);
        return data === undefined ? err('not-found', `No model with id "${id}"`) : ok(data);
      }),
  };
}
