import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** `<name>.tmp-<pid>-<8 hex>`: the temporary sibling a write in progress uses. */
const TEMP_NAME = /\.tmp-(\d+)-[0-9a-f]{8}$/;

export const tempName = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Writes and fsyncs a file: the data is on disk before anyone renames it
 * into place (else a power cut after the rename can leave an empty file
 * under the final name).
 */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Fsyncs a folder so that a rename inside it survives a crash. Windows
 * cannot open a folder for syncing (and does not need to): skipped there.
 */
export async function syncDir(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that readers see either the old content or the new one,
 * never a torn write: write and fsync a temporary sibling, rename it over the
 * target (atomic within one file system), then fsync the folder.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempName(path);
  try {
    await writeFileSynced(temp, data);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncDir(dirname(path));
}

/** True when process `pid` is alive (and is not this one: our own leftovers are stale too). */
export function isOtherLiveProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The writer's pid of a temporary file or staging folder name, if it is one. */
export function tempOwner(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  return m === null ? undefined : Number(m[1]);
}

/**
 * Removes temporary files that killed writes left in `dir` (not recursive):
 * those whose writing process is gone. A live writer's (another host
 * sharing the workspace) are left alone. Returns the names removed.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid === undefined || isOtherLiveProcess(pid)) continue;
    const path = join(dir, name);
    if ((await stat(path).catch(() => undefined))?.isFile() !== true) continue;
    await rm(path, { force: true });
    removed.push(basename(path));
  }
  return removed;
}
