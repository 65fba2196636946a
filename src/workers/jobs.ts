/**
 * The job methods of the worker API (analysis.ts spreads them into the one
 * API every worker entry exposes): the engine (src/main/services/jobs/)
 * starts a pool of workers on Node worker_threads, hands each the model once
 * (loadJobModel), then asks for chunks by index (runChunk).
 */
import { encodeChunk, runChunk, type JobSpec } from '../core/experiments/jobs';
import { loadCustomActivationsFor } from '../core/model/customActivationLoader';
import { checkGenerator, type Generator } from '../core/model/generator';
import { prepareMethods } from '../core/pursuit/highs';
import { err, ok, type Result } from '../shared/result';

/** Test-only faults, set by the Node entry from the environment; never by a spec. */
export interface JobFaults {
  /** Chunks whose computation throws, every time. */
  readonly throwOn?: readonly number[];
  /** Chunks that end the whole worker thread (as a crash would). */
  readonly exitOn?: readonly number[];
  /** Sleep this long before each chunk, so a test can kill a run between chunks. */
  readonly delayMs?: number;
}

export function createJobApi(faults: JobFaults = {}, exit: (code: number) => void = () => undefined) {
  let model: Generator | undefined;

  return {
    /**
     * Keeps the generator for every later chunk: the weights cross the
     * thread boundary (a structured-clone copy) once per worker, not per chunk.
     */
    async loadJobModel(gen: Generator): Promise<Result<null>> {
      const problem = checkGenerator(gen);
      if (problem !== undefined) return err('bad-request', problem);
      // The expression compiler (mathjs) is loaded only for a model that needs it.
      await loadCustomActivationsFor(gen.output);
      model = gen;
      return ok(null);
    },

    /**
     * Computes chunk k of `spec` and returns it encoded (core/experiments/jobs
     * encodeChunk), the exact text the engine writes to chunks/<k>.json, so a
     * fresh and a resumed run merge the very same bytes. An error in the
     * computation is returned as data; its stack goes to the log (stderr), not into the message.
     */
    async runChunk(spec: JobSpec, k: number): Promise<Result<{ text: string; seconds: number }>> {
      if (model === undefined) return err('bad-request', 'no model loaded in this worker');
      // HiGHS (the lei method) is WebAssembly, instantiated asynchronously once per worker before its first chunk.
      try {
        if ('methods' in spec) await prepareMethods(spec.methods);
      } catch (e) {
        return err(
          'internal',
          `could not load the HiGHS solver for the lei method: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      if (faults.delayMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, faults.delayMs);
      if (faults.exitOn?.includes(k)) exit(70);
      const start = Date.now();
      try {
        if (faults.throwOn?.includes(k))
          throw new Error(`injected fault in chunk ${k} (PURSUIT_LAB_TEST_THROW_CHUNKS)`);
        const text = encodeChunk(runChunk(model, spec, k, Date.now));
        return ok({ text, seconds: (Date.now() - start) / 1000 });
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        console.error(`job worker, chunk ${k}: ${error.stack ?? error.message}`);
        return err('internal', error.message);
      }
    },
  };
}

export type JobApi = ReturnType<typeof createJobApi>;
