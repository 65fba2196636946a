// Node worker_threads entry: the same API as the browser worker, for the
// main process, the CLI and the tests.
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createAnalysisApi } from './analysis';

if (parentPort === null) throw new Error('analysis.node-worker must run as a worker thread');
expose(createAnalysisApi(), nodeEndpoint(parentPort));
