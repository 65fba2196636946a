import { resolve } from 'node:path';
import { listRuns } from '../../main/services/jobs/runs';
import { parseArgs } from '../args';
import { UsageError, type CliIo } from '../io';
import { formatTable, writeJsonOutput } from '../output';
import { DEFAULT_WORKSPACE, runsUsage } from '../usage';

export async function runs(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { valued: ['workspace'], boolean: ['json'] });
  if (args.positionals.length !== 0) throw new UsageError(`runs takes no positional argument\n\n${runsUsage}`);
  const workspace = resolve(String(args.flags.get('workspace') ?? DEFAULT_WORKSPACE));
  const list = await listRuns(workspace);
  if (args.flags.has('json')) {
    await writeJsonOutput(list, undefined, io);
    return 0;
  }
  if (list.length === 0) {
    io.out(`no runs in ${workspace}\n`);
    return 0;
  }
  io.out(
    formatTable(
      ['id', 'kind', 'state', 'chunks', 'model', 'error'],
      list.map((r) => [
        r.id,
        r.kind ?? '?',
        r.state,
        `${r.chunksDone}/${r.chunksTotal}`,
        r.model ?? '?',
        r.error ?? '',
      ]),
      [false, false, false, true, false, false],
    ),
  );
  return 0;
}
