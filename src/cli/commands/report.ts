import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRunId, runDir } from '../../main/services/jobs/runs';
import { figureFontFound, REPORT_FORMATS, writeReport, type ReportFormat } from '../../main/services/reports';
import { parseArgs } from '../args';
import { InputError, UsageError, type CliIo } from '../io';
import { DEFAULT_WORKSPACE, reportUsage } from '../usage';

function parseFormats(text: string): ReportFormat[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = list.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (list.length === 0 || bad.length > 0)
    throw new UsageError(`--format takes a list of ${REPORT_FORMATS.join(', ')}; got ${JSON.stringify(text)}`);
  return list as ReportFormat[];
}

export async function report(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { valued: ['workspace', 'out', 'format'], boolean: [] });
  if (args.positionals.length !== 1) throw new UsageError(`report takes one run id or run folder\n\n${reportUsage}`);
  const target = args.positionals[0];
  const workspace = resolve(String(args.flags.get('workspace') ?? DEFAULT_WORKSPACE));
  // A path that exists is a folder; otherwise a run id of the workspace.
  const dir = existsSync(target) ? resolve(target) : isRunId(target) ? runDir(workspace, target) : undefined;
  if (dir === undefined || !existsSync(dir))
    throw new InputError(`no run "${target}" (neither a folder nor a run of ${workspace})`);
  const formatFlag = args.flags.get('format');
  const formats = formatFlag === undefined ? undefined : parseFormats(String(formatFlag));
  const out = args.flags.get('out');
  let outcome;
  try {
    outcome = await writeReport(dir, { formats, out: out === undefined ? undefined : resolve(String(out)) });
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  if ((formats ?? REPORT_FORMATS).includes('png') && !figureFontFound())
    io.err('note: DejaVu Sans not found: PNG text uses whatever system font resvg finds (install fonts-dejavu-core)\n');
  for (const note of outcome.notes) io.err(`${note}\n`);
  for (const file of outcome.files) io.out(`${file}\n`);
  return 0;
}
