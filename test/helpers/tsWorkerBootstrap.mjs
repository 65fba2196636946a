// Runs a TypeScript worker entry inside a Node worker_thread: vitest's
// transform does not reach worker threads, so register tsx first, then import
// the entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
