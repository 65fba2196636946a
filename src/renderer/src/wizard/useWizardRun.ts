import { computed, shallowRef, watch } from 'vue';
import type { RunDetail } from '../../../shared/contract';
import { navigate, route } from '../router';
import { useRunsStore } from '../stores/runs';

/**
 * The job behind a wizard step: its run id lives in the address
 * (`?check=ID`), so a reload, or coming back to the step, finds the run —
 * running or done — in the host's workspace.
 */
export function useWizardRun(key: 'check' | 'invert' | 'project') {
  const runs = useRunsStore();
  const id = computed(() => route.query[key]);
  const info = computed(() => runs.runs.find((r) => r.id === id.value));
  const detail = shallowRef<RunDetail>();
  const starting = shallowRef(false);

  async function load() {
    detail.value = undefined;
    if (id.value === undefined) return;
    const d = await runs.detail(id.value);
    if (d?.id === id.value) detail.value = d;
  }
  watch(id, load, { immediate: true });
  watch(
    () => info.value?.state,
    (state) => {
      if (state === 'done' && detail.value?.state !== 'done') void load();
    },
  );

  async function start(spec: Record<string, unknown>) {
    starting.value = true;
    try {
      const run = await runs.start(spec);
      if (run !== undefined) navigate('wizard', [route.path[0] ?? key], { ...route.query, [key]: run.id });
    } finally {
      starting.value = false;
    }
  }

  const running = computed(() => info.value?.state === 'queued' || info.value?.state === 'running');
  /** The finished run's result.json (parsed), once done. */
  const result = computed(() => (detail.value?.state === 'done' ? detail.value.result : undefined));
  return { id, info, detail, result, running, starting, start, cancel: () => id.value && runs.cancel(id.value) };
}
