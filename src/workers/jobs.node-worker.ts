// Node worker_threads entry of the job worker — the job methods of the worker API
// (jobs.ts; the renderer's worker has them too, in analysis.ts), with the test faults —
// the engine's pool starts these (src/main/services/jobs/pool.ts). Only the job methods:
// the rest of the analysis API would load the model readers and image decoders (390 kB
// of the worker's 690 kB of code) that no chunk uses. The PURSUIT_LAB_TEST_* variables
// inject faults for the engine's tests (a chunk that throws, a worker that
// dies, a slow chunk); unset, they change nothing.
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createJobApi } from './jobs';

if (parentPort === null) throw new Error('jobs.node-worker must run as a worker thread');
const list = (name: string) =>
  (process.env[name] ?? '')
    .split(',')
    .filter((s) => s !== '')
    .map(Number);
const faults = {
  throwOn: list('PURSUIT_LAB_TEST_THROW_CHUNKS'),
  exitOn: list('PURSUIT_LAB_TEST_EXIT_CHUNKS'),
  delayMs: Number(process.env.PURSUIT_LAB_TEST_CHUNK_DELAY_MS ?? 0) || 0,
};
expose(
  createJobApi(faults, (code) => process.exit(code)),
  nodeEndpoint(parentPort),
);
