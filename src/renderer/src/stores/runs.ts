import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type { ReportFiles, ReportFormat, RunDetail, RunInfo, RunProgressEvent } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';
import { useHostClient } from '../api/host';
import { download as saveFile } from '../chartExport';

/**
 * The workspace's runs as the host keeps them: the list (refreshed on
 * demand), live progress from the host's run-progress events (every window
 * gets them, so a reload or a second window sees a running job move), and
 * the actions on a run. Results are fetched when a page needs one.
 */
export const useRunsStore = defineStore('runs', () => {
  const host = useHostClient();
  const runs = shallowRef<RunInfo[]>([]);
  const loaded = shallowRef(false);
  const error = shallowRef<AppError>();
  /** Results of finished runs already fetched, by id. */
  const details = shallowRef(new Map<string, RunDetail>());

  function apply(event: RunProgressEvent): void {
    const at = runs.value.findIndex((r) => r.id === event.id);
    if (at < 0) {
      // A run started elsewhere (another window, or before a reload): fetch it whole.
      void refresh();
      return;
    }
    const next = [...runs.value];
    next[at] = {
      ...next[at],
      state: event.state,
      chunksDone: event.chunksDone,
      chunksTotal: event.chunksTotal,
      ...(event.signalsDone !== undefined ? { signalsDone: event.signalsDone } : {}),
      etaSeconds: event.etaSeconds,
    };
    runs.value = next;
    if (event.state === 'done' || event.state === 'failed') void refreshOne(event.id);
  }
  host.on('run-progress', apply);

  async function check<T>(result: Promise<Result<T>>): Promise<T | undefined> {
    const r = await result;
    if (!r.ok) {
      error.value = r.error;
      return undefined;
    }
    error.value = undefined;
    return r.value;
  }

  async function refresh(): Promise<void> {
    const list = await check(host.listRuns());
    if (list === undefined) return;
    // Newest first: what a user looks for.
    runs.value = [...list].reverse();
    loaded.value = true;
  }

  async function refreshOne(id: string): Promise<RunDetail | undefined> {
    const detail = await check(host.getRun({ id }));
    if (detail === undefined) return undefined;
    const { result: _result, ...info } = detail;
    runs.value = runs.value.some((r) => r.id === id)
      ? runs.value.map((r) => (r.id === id ? info : r))
      : [info, ...runs.value];
    if (detail.state === 'done') {
      const next = new Map(details.value);
      next.set(id, detail);
      details.value = next;
    }
    return detail;
  }

  /** A finished run with its result (fetched once). */
  async function detail(id: string): Promise<RunDetail | undefined> {
    return details.value.get(id) ?? (await refreshOne(id));
  }

  /**
   * Asks the host to start the worker threads for a model's coming runs. Nothing to show: a bad
   * model is reported by the run itself, and a host without threads to spare starts them then.
   */
  function prepare(model: string): void {
    void host.prepareRuns({ model }).catch(() => undefined);
  }

  async function start(spec: Record<string, unknown>): Promise<RunInfo | undefined> {
    const run = await check(host.startRun({ spec }));
    if (run !== undefined) runs.value = [run, ...runs.value.filter((r) => r.id !== run.id)];
    return run;
  }

  const replace = (run: RunInfo | undefined) => {
    if (run !== undefined) runs.value = runs.value.map((r) => (r.id === run.id ? run : r));
    return run;
  };
  const cancel = async (id: string) => replace(await check(host.cancelRun({ id })));
  const resume = async (id: string) => replace(await check(host.resumeRun({ id })));

  async function remove(id: string): Promise<boolean> {
    const removed = await check(host.deleteRun({ id }));
    if (removed === undefined) return false;
    runs.value = runs.value.filter((r) => r.id !== id);
    const next = new Map(details.value);
    next.delete(id);
    details.value = next;
    return true;
  }

  /** A running sweep's or noise job's result so far (null for other kinds). */
  const partial = async (id: string): Promise<unknown> =>
    (await check(host.getRunPartial({ id })))?.result ?? undefined;

  /** Offers a file of a run's folder (report.html, report.pdf, figures/…) as a download. */
  async function download(id: string, name: string): Promise<void> {
    const file = await check(host.readRunFile({ id, name }));
    if (file === undefined) return;
    const type = name.endsWith('.html')
      ? 'text/html'
      : name.endsWith('.pdf')
        ? 'application/pdf'
        : name.endsWith('.svg')
          ? 'image/svg+xml'
          : name.endsWith('.png')
            ? 'image/png'
            : 'application/octet-stream';
    saveFile(`${id}-${name.replace(/^figures\//, '')}`, new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type }));
  }

  /** Shows the run's folder in the file manager (desktop app only). */
  const reveal = async (id: string) => void (await check(host.revealRun({ id })));

  const exportReport = (id: string, formats?: ReportFormat[]): Promise<ReportFiles | undefined> =>
    check(host.exportRunReport({ id, ...(formats !== undefined ? { formats } : {}) }));

  const active = computed(() => runs.value.filter((r) => r.state === 'queued' || r.state === 'running'));

  return {
    runs,
    loaded,
    error,
    details,
    active,
    refresh,
    detail,
    prepare,
    start,
    cancel,
    resume,
    remove,
    partial,
    exportReport,
    download,
    reveal,
    dismissError: () => (error.value = undefined),
  };
});
