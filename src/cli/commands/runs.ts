import { resolve } from 'node:path';
import { listRuns } from '../../main/services/jobs/runs';
import { parseArgs } from '../args';
import { UsageError, type CliIo } from '../io';
import { formatTable, writeJsonOutput } from '../output';
import { DEFAULT_WORKSPACE } from './experiment';

export const runsUsage = `pursuit-lab runs [--workspace DIR] [--json]

Lists the runs of a workspace (default ./${DEFAULT_WORKSPACE}), oldest first,
with their state (queued, running, interrupted, cancelled, failed, done) and
chunks done. A run whose process died shows as interrupted: finish it with
\`pursuit-lab experiment --resume ID\`.

  --workspace DIR  the workspace
  --json           the list as JSON on stdout`;

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
