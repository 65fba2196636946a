import { inspect, inspectUsage } from './commands/inspect';
import { invert, invertUsage } from './commands/invert';
import { InputError, UsageError, type CliIo } from './io';

const usage = `Usage: pursuit-lab <command> [options]

Commands:
  inspect <model> [--json] [--out file.json]   architecture summary of a generator
  invert <model|random:…> [--method lp,…]      invert generated signals and measure the recovery

Run \`pursuit-lab help <command>\` for a command's options.
Exit codes: 0 success, 1 bad input (file, model), 2 bad command line.`;

const commands: Record<string, { run: (argv: readonly string[], io: CliIo) => Promise<number>; usage: string }> = {
  inspect: { run: inspect, usage: inspectUsage },
  invert: { run: (argv, io) => invert(argv, io), usage: invertUsage },
};

/** Runs the CLI; returns the exit code. Never throws for bad input: it reports and returns 1 or 2. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? commands[rest[0] ?? ''] : undefined;
    io.out(`${topic?.usage ?? usage}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`pursuit-lab: unknown command "${name}"\n\n${usage}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pursuit-lab ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.err(`pursuit-lab ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
