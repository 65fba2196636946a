import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError, type OpenOptions } from '../../core/formats/index';
import { outputActivationByName } from '../../core/model/activations';
import type { HostApi, HostInfo, PickedFile } from '../../shared/contract';
import { err, ok, type Result } from '../../shared/result';
import type { EventHub } from './events';
import { RunRefusedError } from './jobs/engine';
import { JobHost } from './jobs/host';
import type { ModelStore } from './modelStore';
import { writeReport, type PdfPrinter } from './reports';
import { ParseLimitError } from './modelParser';

export interface HostApiDeps {
  readonly store: ModelStore;
  readonly events: EventHub;
  readonly info: HostInfo;
  /** The host's native open dialog (Electron); absent in browser mode. Resolves null on cancel. */
  readonly pickModelFile?: () => Promise<PickedFile | null>;
  /** Where stack traces of unexpected errors go (they never cross to the renderer). @default console.error */
  readonly log?: (text: string) => void;
  /** The job queue; by default one over `info.workspace` (pass one to close it, as tests do). */
  readonly jobs?: JobHost;
  /** Shows a folder in the system's file manager (Electron's shell); absent in browser mode. */
  readonly revealPath?: (path: string) => void;
  /** How reports become PDF: Electron's printToPDF in the app; the system Chromium when absent. */
  readonly printPdf?: PdfPrinter;
}

const firstLine = (text: string) => text.split('\n')[0];

/**
 * Turns a thrown error into the Result a renderer can show: a code and one
 * line. Stacks are logged here, on the host, and never sent.
 */
export function failure<T>(e: unknown, log: (text: string) => void = (t) => console.error(t)): Result<T> {
  if (e instanceof ModelFormatError)
    return err(e.needs === 'output-activation' ? 'needs-output-activation' : 'model-format', firstLine(e.message));
  if (e instanceof ParseLimitError) return err('limit', e.message);
  if (e instanceof RunRefusedError) return err('conflict', firstLine(e.message));
  const error = e as NodeJS.ErrnoException;
  if (typeof error?.code === 'string' && typeof error.syscall === 'string') {
    return err('io', `Workspace ${error.syscall} failed: ${firstLine(error.message)}`);
  }
  log(`unexpected error: ${(e as Error)?.stack ?? String(e)}`);
  return err('internal', `Unexpected error: ${firstLine(String((e as Error)?.message ?? e))}`);
}

/**
 * The host side of the contract, over plain-Node services. Electron's IPC
 * and the browser-mode bridge both serve this object; neither adds logic.
 */
export function createHostApi(deps: HostApiDeps): HostApi {
  const { store, events } = deps;
  const log = deps.log ?? ((text: string) => console.error(text));
  const jobs = deps.jobs ?? new JobHost({ workspace: deps.info.workspace, store, events, log });
  const guarded = async <T>(run: () => Promise<Result<T>>): Promise<Result<T>> => {
    try {
      return await run();
    } catch (e) {
      return failure(e, log);
    }
  };

  async function importBytes(fileName: string, bytes: Uint8Array, options?: OpenOptions) {
    const { info, created } = await store.import(fileName, bytes, options);
    if (created) events.emit('models-changed', { models: await store.list() });
    return info;
  }

  return {
    hostInfo: () => Promise.resolve(ok(deps.info)),
    listModels: () => guarded(async () => ok(await store.list())),
    importModel: ({ fileName, bytes, architecture, output, imageShape }) =>
      guarded(async () => {
        const activation = output === undefined ? undefined : outputActivationByName(output);
        return ok(await importBytes(fileName, bytes, { architecture, output: activation, imageShape }));
      }),
    openModelDialog: () =>
      guarded(async () => {
        if (deps.pickModelFile === undefined) {
          return err('unsupported', 'This host has no native file dialog; use the file picker or drop a file.');
        }
        return ok(await deps.pickModelFile());
      }),
    getModelData: ({ id }) =>
      guarded(async () => {
        const data = await store.getData(id);
        return data === undefined ? err('not-found', `No model with id "${id}"`) : ok(data);
      }),
    deleteModel: ({ id }) =>
      guarded(async () => {
        // A queued or running job still needs the weights (its workers load them by id).
        const runs = await jobs.list();
        const busy = runs.find((r) => r.model === id && (r.state === 'queued' || r.state === 'running'));
        if (busy !== undefined)
          return err('conflict', `run "${busy.id}" is ${busy.state} with this model: cancel it or let it finish first`);
        const outcome = await store.remove(id);
        if (outcome === 'bundled')
          return err('forbidden', `"${id}" is bundled with the app and cannot be removed; only imported models can`);
        if (outcome === 'not-found') return err('not-found', `No model with id "${id}"`);
        events.emit('models-changed', { models: await store.list() });
        return ok({ id });
      }),
    startRun: ({ spec }) => guarded(() => jobs.start(spec)),
    listRuns: () => guarded(async () => ok(await jobs.list())),
    getRun: ({ id }) => guarded(() => jobs.get(id)),
    cancelRun: ({ id }) => guarded(() => jobs.cancel(id)),
    resumeRun: ({ id }) => guarded(() => jobs.resume(id)),
    getRunPartial: ({ id }) => guarded(() => jobs.partial(id)),
    readRunFile: ({ id, name }) =>
      guarded(async () => {
        const run = await jobs.get(id);
        if (!run.ok) return run;
        // validate.ts allows only report.html, report.pdf and figures/<plain name>: nothing outside the folder.
        const path = join(run.value.dir, name);
        if (!existsSync(path)) return err('not-found', `run "${id}" has no ${name}: write its report first`);
        return ok({ name, bytes: new Uint8Array(await readFile(path)) });
      }),
    revealRun: ({ id }) =>
      guarded(async () => {
        if (deps.revealPath === undefined)
          return err('unsupported', 'Browser mode cannot open a file manager: the run folder is on the host.');
        const run = await jobs.get(id);
        if (!run.ok) return run;
        deps.revealPath(join(run.value.dir, existsSync(join(run.value.dir, 'report.html')) ? 'report.html' : ''));
        return ok(null);
      }),
    deleteRun: ({ id }) => guarded(() => jobs.remove(id)),
    exportRunReport: ({ id, formats }) =>
      guarded(async () => {
        const run = await jobs.get(id);
        if (!run.ok) return run;
        if (run.value.state !== 'done')
          return err('conflict', `run "${id}" is ${run.value.state}: only a finished run has a report`);
        const outcome = await writeReport(run.value.dir, {
          ...(formats !== undefined ? { formats } : {}),
          ...(deps.printPdf !== undefined ? { printPdf: deps.printPdf } : {}),
        });
        return ok(outcome);
      }),
    getJobSettings: () => guarded(async () => ok(await jobs.settings())),
    prepareRuns: ({ model }) => guarded(() => jobs.prepare(model)),
    setJobWorkers: ({ count }) => guarded(async () => ok(await jobs.setWorkers(count))),
  };
}
