import { open, rm, stat, writeFile } from 'node:fs/promises';
import type { GeneratorSummary } from '../core/model/summary';
import type { CliIo } from './io';
import { InputError } from './io';

/** A plain-text table with aligned columns; `right[i]` right-aligns column i (numbers). */
export function formatTable(header: string[], rows: string[][], right: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Checks that `target` can be written, before the work whose result goes
 * there starts (not after an hour of it). Tries for real rather than asking
 * access(2), which says yes to root on a read-only mount: an existing file is
 * opened for writing without truncating it; a new one is created and removed.
 * @throws InputError naming the path and the reason.
 */
export async function checkWritable(target: string | true | undefined, flag: string): Promise<void> {
  if (typeof target !== 'string') return;
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new InputError(`${flag} ${target}: it is a folder, not a file`);
  try {
    if (existing !== undefined) await (await open(target, 'r+')).close();
    else {
      await (await open(target, 'wx')).close();
      await rm(target, { force: true });
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'its folder does not exist'
        : code === 'ENOTDIR'
          ? 'a part of its path is a file, not a folder'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'EROFS'
              ? 'the file system is read-only'
              : (e as Error).message;
    throw new InputError(`${flag} ${target}: cannot write there (${why}); nothing was run`);
  }
}

/** Writes JSON to `target` (a file path) or, when absent, to standard output. */
export async function writeJsonOutput(value: unknown, target: string | true | undefined, io: CliIo): Promise<void> {
  const text = JSON.stringify(value, null, 2) + '\n';
  if (typeof target !== 'string') {
    io.out(text);
    return;
  }
  try {
    await writeFile(target, text);
  } catch (e) {
    throw new InputError(`cannot write ${target}: ${(e as Error).message}`);
  }
  io.err(`wrote ${target}\n`);
}

/** A report's JSON with the model it is about in front: `{"model": {name, dims, output, source}, …report}`. */
export async function writeModelReport(
  report: object,
  summary: GeneratorSummary,
  source: string,
  target: string | true | undefined,
  io: CliIo,
): Promise<void> {
  const model = { name: summary.name, dims: summary.dims, output: summary.output, source };
  await writeJsonOutput({ model, ...report }, target, io);
}

export interface ProgressPrinter {
  /** Reports the current state; call it as often as you like. */
  update(line: () => string): void;
  /** The run is over: clears a redrawn terminal line. */
  done(): void;
}

/**
 * Progress on stderr for runs longer than a second. On a terminal one line
 * is redrawn (carriage return, erase to end of line) up to ten times a second
 * and cleared at the end; elsewhere (a log file, a pipe) a line is printed at
 * most once a second, so logs stay short.
 */
export function progressPrinter(io: CliIo, now: () => number): ProgressPrinter {
  const terminal = io.errIsTerminal === true;
  const interval = terminal ? 100 : 1000;
  const started = now();
  let last = started;
  let drawn = false;
  return {
    update(line) {
      const t = now();
      if (t - started <= 1000 || t - last < interval) return;
      last = t;
      const text = `${line()}  ${((t - started) / 1000).toFixed(1)} s`;
      io.err(terminal ? `\r${text}\x1b[K` : `${text}\n`);
      drawn = terminal;
    },
    done() {
      if (drawn) io.err('\r\x1b[K');
      drawn = false;
    },
  };
}
