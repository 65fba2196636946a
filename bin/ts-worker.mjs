// Runs a TypeScript worker entry inside a Node worker_thread when Pursuit Lab
// runs from source (the CLI through tsx, the tests): tsx's loader registered
// in the main thread does not reach worker threads, so register it here, then
// import the entry named in workerData. Built apps start their .js entries directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
