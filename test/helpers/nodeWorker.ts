import { Worker } from 'node:worker_threads';
import { wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { repoPath } from './fixtures';

/** Starts a real worker thread on a TypeScript worker entry and wraps it with Comlink. */
export function startTsWorker<T>(entry: string): { api: Remote<T>; worker: Worker } {
  const worker = new Worker(new URL('./tsWorkerBootstrap.mjs', import.meta.url), {
    workerData: { entry: repoPath(entry) },
  });
  return { api: wrap<T>(nodeEndpoint(worker)), worker };
}
