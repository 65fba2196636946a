import {
  HOST_EVENTS,
  type HostApi,
  type HostClient,
  type HostEventName,
  type ModelInfo,
  type HostEvents,
} from '../../../shared/contract';
import { err, type Result } from '../../../shared/result';
import { decodeFrames, encodeFrames, FRAMES_CONTENT_TYPE, fromWire } from '../../../shared/wire';

/** Header the bridge checks on every API request (see main/bridge/server.ts). */
const TOKEN_HEADER = 'x-pursuit-token';

/** The bridge's client: the contract, plus model bytes as a Blob the page never reads itself. */
export interface BridgeClient extends HostClient {
  /**
   * A model's weights (as getModelData) as a Blob: the body is never turned
   * into an ArrayBuffer on the page's thread — reading a 7.6 MB body with
   * `arrayBuffer()` and transferring it to a worker blocked the window for
   * about 0.7 s on a slow machine; a Blob goes to the worker as a handle and
   * the worker reads it.
   */
  getModelBlob(request: { id: string }): Promise<Result<{ info: ModelInfo; bytes: Blob }>>;
}

/**
 * Reads a framed body (shared/wire.ts) kept as a Blob: the header and the
 * JSON part are read (small), each blob part stays a slice of the Blob.
 */
export async function decodeFramesBlob(body: Blob, maxJson = 64 * 1024 * 1024): Promise<unknown> {
  const fail = (why: string): never => {
    throw new SyntaxError(`malformed framed body: ${why}`);
  };
  if (body.size < 12) fail('no PLF1 header');
  const head = new DataView(await body.slice(0, 12).arrayBuffer());
  if (head.getUint32(0, false) !== 0x504c4631) fail('no PLF1 header');
  const jsonLength = head.getUint32(4, true);
  const count = head.getUint32(8, true);
  if (jsonLength > maxJson) fail(`its JSON part is ${jsonLength} bytes, over ${maxJson}`);
  if (12 + 4 * count > body.size) fail(`${count} blobs declared in a ${body.size}-byte body`);
  const lengths = new DataView(await body.slice(12, 12 + 4 * count).arrayBuffer());
  let offset = 12 + 4 * count;
  const text = await body.slice(offset, offset + jsonLength).text();
  offset += jsonLength;
  const blobs: Blob[] = [];
  for (let i = 0; i < count; i++) {
    const length = lengths.getUint32(4 * i, true);
    blobs.push(body.slice(offset, offset + length));
    offset += length;
  }
  if (offset !== body.size) fail(`the parts add up to ${offset} bytes, the body has ${body.size}`);
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const index = (v as Record<string, unknown>).$blob;
      if (Object.keys(v).length === 1 && typeof index === 'number') return blobs[index] ?? fail(`no blob ${index}`);
    }
    return v;
  });
}

/**
 * The host API over the browser-mode HTTP bridge. Same interface as the
 * Electron preload's `window.api`; the per-launch token comes from the page
 * address the host printed. Calls go as binary frames (shared/wire.ts):
 * a model's bytes travel as they are, never as base64 inside JSON.
 */
export function createBridgeClient(token: string, base = ''): BridgeClient {
  async function call(method: keyof HostApi, payload?: unknown, asBlob = false): Promise<never> {
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
        if (asBlob) return (await decodeFramesBlob(await response.blob())) as never;
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
    getModelBlob: (request) => call('getModelData', request, true),
    startRun: (request) => call('startRun', request),
    listRuns: () => call('listRuns'),
    getRun: (request) => call('getRun', request),
    cancelRun: (request) => call('cancelRun', request),
    resumeRun: (request) => call('resumeRun', request),
    getRunPartial: (request) => call('getRunPartial', request),
    readRunFile: (request) => call('readRunFile', request),
    revealRun: (request) => call('revealRun', request),
    deleteRun: (request) => call('deleteRun', request),
    exportRunReport: (request) => call('exportRunReport', request),
    getJobSettings: () => call('getJobSettings'),
    prepareRuns: (request) => call('prepareRuns', request),
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
