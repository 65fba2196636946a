import {
  HOST_EVENTS,
  type HostApi,
  type HostClient,
  type HostEventName,
  type HostEvents,
} from '../../../shared/contract';
import { err } from '../../../shared/result';
import { decodeFrames, encodeFrames, FRAMES_CONTENT_TYPE, fromWire } from '../../../shared/wire';

/** Header the bridge checks on every API request (see main/bridge/server.ts). */
const TOKEN_HEADER = 'x-pursuit-token';

/**
 * The host API over the browser-mode HTTP bridge. Same interface as the
 * Electron preload's `window.api`; the per-launch token comes from the page
 * address the host printed. Calls go as binary frames (shared/wire.ts):
 * a model's bytes travel as they are, never as base64 inside JSON.
 */
export function createBridgeClient(token: string, base = ''): HostClient {
  async function call(method: keyof HostApi, payload?: unknown): Promise<never> {
    let response: Response;
    try {
      response = await fetch(`${base}/api/call/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': FRAMES_CONTENT_TYPE, Accept: FRAMES_CONTENT_TYPE, [TOKEN_HEADER]: token },
        // A Blob of the parts: the model's bytes are sent as they are, not joined or copied again.
        body: payload === undefined ? '' : new Blob(encodeFrames(payload) as BlobPart[]),
      });
    } catch (e) {
      return err('io', `Cannot reach the Pursuit Lab host (is it still running?): ${(e as Error).message}`) as never;
    }
    try {
      if ((response.headers.get('content-type') ?? '').startsWith(FRAMES_CONTENT_TYPE)) {
        // A long model list is more than a request needs: allow 64 MiB of JSON in an answer.
        return decodeFrames(new Uint8Array(await response.arrayBuffer()), 64 * 1024 * 1024) as never;
      }
      return fromWire(await response.text()) as never;
    } catch {
      return err('internal', `The host answered ${response.status} with something it could not decode`) as never;
    }
  }

  const listeners = new Map<HostEventName, Set<(payload: never) => void>>();
  let source: EventSource | undefined;
  function ensureSource(): void {
    if (source !== undefined) return;
    source = new EventSource(`${base}/api/events?token=${encodeURIComponent(token)}`);
    for (const name of HOST_EVENTS) {
      source.addEventListener(name, (message) => {
        const payload = fromWire((message as MessageEvent<string>).data) as never;
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
  }

  return {
    hostInfo: () => call('hostInfo'),
    listModels: () => call('listModels'),
    importModel: (request) => call('importModel', request),
    openModelDialog: () => call('openModelDialog'),
    getModelData: (request) => call('getModelData', request),
    deleteModel: (request) => call('deleteModel', request),
    startRun: (request) => call('startRun', request),
    listRuns: () => call('listRuns'),
    getRun: (request) => call('getRun', request),
    cancelRun: (request) => call('cancelRun', request),
    resumeRun: (request) => call('resumeRun', request),
    deleteRun: (request) => call('deleteRun', request),
    exportRunReport: (request) => call('exportRunReport', request),
    getJobSettings: () => call('getJobSettings'),
    setJobWorkers: (request) => call('setJobWorkers', request),
    on<K extends HostEventName>(event: K, listener: (payload: HostEvents[K]) => void) {
      ensureSource();
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
  };
}
