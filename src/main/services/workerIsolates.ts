import { setFlagsFromString } from 'node:v8';

let done = false;

/**
 * Call before starting a worker thread. Node 20 aborts the whole process
 * ("Assertion failed: (data.first) != nullptr" in NodePlatform::ForIsolate)
 * when a worker thread ends while V8 optimises its code on a background
 * thread: a job's workers, terminated as the run finished, took the command
 * down in about one run in thirty on two busy cores (3 parallel loops of
 * `pursuit-lab experiment`; none in 180 runs with this). V8 reads the flag as
 * it creates each isolate, so a worker started afterwards optimises on its own
 * thread, and its end cannot race that; the process's own thread keeps its
 * background compiler. Flags given to a worker itself are refused (V8's flags
 * are the process's), hence this call in the process.
 */
export function beforeWorkerStart(): void {
  if (done) return;
  setFlagsFromString('--no-concurrent-recompilation');
  done = true;
}
