import { writeFile } from 'node:fs/promises';
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
