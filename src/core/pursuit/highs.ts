import type { Highs } from 'highs';
import type { MethodId } from './types';

/**
 * The HiGHS linear-programming solver (npm `highs`, HiGHS compiled to
 * WebAssembly), used by the `lei` method. Instantiating the WebAssembly module
 * is asynchronous while the methods are synchronous generators, so the shells
 * that run methods (the CLI, the job and analysis workers) await
 * `prepareMethods` first; `highsSolver` then hands the one instance out.
 * Loaded on demand, so that runs without `lei` never fetch its 3.5 MB module.
 */
let solver: Highs | undefined;
let loading: Promise<Highs> | undefined;

export async function loadHighs(): Promise<Highs> {
  if (solver !== undefined) return solver;
  loading ??= import('highs').then(async (m) => (solver = await m.default()));
  return loading;
}

/** Loads what the listed methods need before they run (HiGHS for `lei`); a no-op otherwise. */
export async function prepareMethods(methods: readonly MethodId[]): Promise<void> {
  if (methods.includes('lei')) await loadHighs();
}

/** The loaded solver. @throws Error when `loadHighs`/`prepareMethods` has not finished. */
export function highsSolver(): Highs {
  if (solver === undefined)
    throw new Error(
      'the lei method needs the HiGHS solver loaded: await prepareMethods(methods) (or loadHighs()) before running it',
    );
  return solver;
}
