import { shallowRef, watch, type ShallowRef, type WatchSource } from 'vue';

/**
 * `compute()` evaluated in a task of its own, a macrotask after `inputs`
 * change, not in the render that brought them: a run's result arriving is
 * then two shorter tasks — the page's tables, then the figures' options —
 * instead of one long one that freezes the window. `inputs` should be cheap
 * (the values compute reads); until the first evaluation the value is `initial`.
 */
export function useDeferred<T>(inputs: WatchSource, compute: () => T, initial: T): ShallowRef<T> {
  const value = shallowRef<T>(initial);
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(
    inputs,
    () => {
      clearTimeout(timer);
      timer = setTimeout(() => (value.value = compute()), 0);
    },
    { immediate: true },
  );
  return value;
}
