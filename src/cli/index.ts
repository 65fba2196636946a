// The `pursuit-lab` command's process entry: real stdout/stderr, real exit code.
import { runCli } from './main';

export async function main(argv: readonly string[]): Promise<number> {
  // A closed pipe (`pursuit-lab … | head`) ends the output, not the process with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return runCli(argv, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTerminal: process.stderr.isTTY === true,
  });
}
