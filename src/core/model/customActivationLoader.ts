/**
 * Loads the custom-activation compiler (customActivation.ts, built on mathjs)
 * only when a model needs it. mathjs is most of the code every thread that
 * opens or runs a model would otherwise compile and run at its start — the
 * command line, its model-parse worker and each job worker: about 0.1 s of a
 * one-signal `pursuit-lab invert` on two cores — while few models have a
 * custom activation.
 *
 * The core stays synchronous: the hosts load the compiler at their
 * asynchronous boundaries (a worker's request, a command's model), either
 * because they see a custom activation (`loadCustomActivationsFor`) or by
 * running pure work again after it met one (`withCustomActivations`).
 */
import type { ActivationFunctions } from './activations';

export type CustomActivationCompiler = (expression: string) => {
  functions: ActivationFunctions;
  derivativeText: string;
};

let compiler: CustomActivationCompiler | undefined;

/**
 * A custom activation was met on a thread that has not loaded the compiler:
 * a host's missing `await`, never the user's fault. No reader or check turns
 * it into a refusal of the file (it passes through them).
 */
export class CustomActivationsNotLoadedError extends Error {
  override readonly name = 'CustomActivationsNotLoadedError';
  constructor() {
    super('custom activations are not loaded on this thread: await loadCustomActivations() first');
  }
}

/** Loads the compiler (once per thread; later calls return at once). */
export async function loadCustomActivations(): Promise<void> {
  if (compiler === undefined) compiler = (await import('./customActivation')).compileCustomActivation;
}

/** Loads the compiler when `output` (a generator's output activation) is custom. */
export async function loadCustomActivationsFor(output: { readonly kind: string }): Promise<void> {
  if (output.kind === 'custom') await loadCustomActivations();
}

/**
 * Runs `work`; if it met a custom activation before the compiler was loaded,
 * loads it and runs `work` once more. Only for work without side effects
 * before that point (opening a model, parsing a spec), as a second run repeats them.
 */
export async function withCustomActivations<T>(work: () => T): Promise<T> {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof CustomActivationsNotLoadedError)) throw e;
    await loadCustomActivations();
    return work();
  }
}

/** The compiler. @throws CustomActivationsNotLoadedError before `loadCustomActivations` has finished. */
export function customActivationCompiler(): CustomActivationCompiler {
  if (compiler === undefined) throw new CustomActivationsNotLoadedError();
  return compiler;
}
