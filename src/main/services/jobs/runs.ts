import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JobSpec } from '../../../core/experiments/jobs';
import type { RunState } from '../../../shared/contract';
import { isOtherLiveProcess, writeFileAtomic } from '../atomic';

/**
 * A run folder, `<workspace>/runs/<id>/`:
 *   spec.json     what was asked, complete: the job, the model's source and SHA-256, versions
 *   status.json   where it stands (RunStatus)
 *   chunks/<k>.json  each finished chunk, written atomically and fsynced
 *   result.json   the merged report, once every chunk is in
 * Every file is plain JSON, and every write replaces a whole file atomically
 * (atomic.ts), so a kill at any moment leaves each file old or new, never torn.
 */

// One definition for the engine and the host contract (shared/contract.ts).
export type { RunState } from '../../../shared/contract';

/** What spec.json holds: enough to compute the same result again, anywhere. */
export interface RunSpec {
  /** Layout of this file; bumped on incompatible changes. */
  readonly format: 1;
  readonly id: string;
  readonly job: JobSpec;
  readonly model: {
    /** As the spec gave it (a path or a random: spec). */
    readonly source: string;
    /** The absolute path that was read, for a file. */
    readonly path?: string;
    /** Of the file's bytes; of the weights (float64, little-endian, layer by layer, W then b) for random:. */
    readonly sha256: string;
    readonly name: string;
    readonly dims: number[];
    readonly output: string;
  };
  readonly chunks: number;
  readonly app: { readonly version: string; readonly node: string };
  /** The product kernel of the process that created the run (kernels give identical bits). */
  readonly kernel: string;
  readonly created: string;
}

export interface RunError {
  readonly message: string;
  /** The failing chunk's settings (core/experiments/jobs chunkSettings), to reproduce it. */
  readonly chunk?: Record<string, unknown>;
}

/** What status.json holds. */
export interface RunStatus {
  readonly state: RunState;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  /** The process that runs (or ran) it, to tell a live run from one whose process died. */
  readonly pid: number;
  readonly host: string;
  readonly workers?: number;
  /** The shard that wrote this status, "K/N" (shards of a shared folder take turns writing it). */
  readonly shard?: string;
  readonly created: string;
  readonly started?: string;
  readonly finished?: string;
  /** Compute seconds per finished chunk: kept here, not in result.json, which must not depend on the machine. */
  readonly chunkSeconds?: Record<string, number>;
  readonly error?: RunError;
}

export const runsDir = (workspace: string) => join(workspace, 'runs');
export const runDir = (workspace: string, id: string) => join(runsDir(workspace), id);
export const chunkPath = (dir: string, k: number) => join(dir, 'chunks', `${k}.json`);

/** A new run id: sortable by creation time, unique without a lock (random suffix). */
export function newRunId(kind: string, date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${kind}-${randomBytes(3).toString('hex')}`;
}

/** Run ids are folder names we made: refuse anything that could step outside runs/. */
export function isRunId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) && !id.includes('..');
}

export const writeJson = (path: string, value: unknown) => writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/**
 * The status as it truly is: a run whose status says queued or running but
 * whose process is gone (killed, crashed, the machine rebooted) is
 * `interrupted`. Another host's pid means nothing here: only runs of this
 * host are judged by pid.
 */
export function effectiveState(status: RunStatus): RunState {
  if (status.state !== 'running' && status.state !== 'queued') return status.state;
  if (status.host !== hostname()) return status.state;
  return status.pid === process.pid || isOtherLiveProcess(status.pid) ? status.state : 'interrupted';
}

export interface RunListing {
  readonly id: string;
  readonly dir: string;
  readonly kind?: string;
  readonly model?: string;
  readonly state: RunState | 'unreadable';
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly created?: string;
  readonly error?: string;
}

/** One run's listing; undefined when there is no such run folder. */
export async function readRunListing(workspace: string, id: string): Promise<RunListing | undefined> {
  const dir = runDir(workspace, id);
  const spec = await readJson<RunSpec>(join(dir, 'spec.json')).catch(() => undefined);
  const status = await readJson<RunStatus>(join(dir, 'status.json')).catch(() => undefined);
  if (status === undefined) {
    if (
      spec === undefined &&
      !(await stat(dir)
        .then((s) => s.isDirectory())
        .catch(() => false))
    )
      return undefined;
    return { id, dir, state: 'unreadable', chunksDone: 0, chunksTotal: spec?.chunks ?? 0 };
  }
  return {
    id,
    dir,
    kind: spec?.job.kind,
    model: spec?.model.source,
    state: effectiveState(status),
    chunksDone: status.chunksDone,
    chunksTotal: status.chunksTotal,
    created: status.created,
    ...(status.error ? { error: status.error.message } : {}),
  };
}

/** Every run of a workspace, oldest first; a folder without a readable status is listed as unreadable. */
export async function listRuns(workspace: string): Promise<RunListing[]> {
  let names: string[];
  try {
    names = (await readdir(runsDir(workspace), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  names.sort();
  const out: RunListing[] = [];
  for (const id of names) {
    const listing = await readRunListing(workspace, id);
    if (listing !== undefined) out.push(listing);
  }
  return out;
}
