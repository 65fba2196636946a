// The `pursuit-lab` command's process entry: real stdout/stderr, real exit code.
import { runCli } from './main';

export async function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
