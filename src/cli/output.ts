import { writeFile } from 'node:fs/promises';
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

/**
 * Progress on stderr for runs longer than a second, at most once a second:
 * call it as often as you like with the current line.
 */
export function progressPrinter(io: CliIo, now: () => number): (line: () => string) => void {
  const started = now();
  let last = started;
  return (line) => {
    const t = now();
    if (t - started > 1000 && t - last >= 1000) {
      last = t;
      io.err(`${line()}  ${((t - started) / 1000).toFixed(1)} s\n`);
    }
  };
}
