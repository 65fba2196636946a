import { InputError, UsageError, type CliIo } from './io';
import * as usages from './usage';
import { APP_VERSION } from '../main/version';

type Run = (argv: readonly string[], io: CliIo) => Promise<number>;

/**
 * Every command, loaded when it runs: `--help` and `--version` (and any one command) load
 * only what they use, not the model readers, mathjs, the job engine or ECharts of the others.
 * The usage texts live in ./usage, which loads nothing heavy.
 */
const commands: Record<string, { load: () => Promise<Run>; usage: string }> = {
  inspect: { load: async () => (await import('./commands/inspect')).inspect, usage: usages.inspectUsage },
  invert: {
    load: async () => {
      const { invert } = await import('./commands/invert');
      return (argv, io) => invert(argv, io);
    },
    usage: usages.invertUsage,
  },
  generate: { load: async () => (await import('./commands/generate')).generate, usage: usages.generateUsage },
  check: {
    load: async () => {
      const { check } = await import('./commands/check');
      return (argv, io) => check(argv, io);
    },
    usage: usages.checkUsage,
  },
  convert: { load: async () => (await import('./commands/convert')).convert, usage: usages.convertUsage },
  experiment: { load: async () => (await import('./commands/experiment')).experiment, usage: usages.experimentUsage },
  project: { load: async () => (await import('./commands/project')).project, usage: usages.projectUsage },
  runs: { load: async () => (await import('./commands/runs')).runs, usage: usages.runsUsage },
  report: { load: async () => (await import('./commands/report')).report, usage: usages.reportUsage },
};

/** Runs the CLI; returns the exit code. Never throws for bad input: it reports and returns 1 or 2. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const { usage } = usages;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? commands[rest[0] ?? ''] : undefined;
    io.out(`${topic?.usage ?? usage}\n`);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`pursuit-lab ${APP_VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`pursuit-lab: unknown command "${name}"\n\n${usage}\n`);
    return 2;
  }
  // `pursuit-lab invert --help` is what people type first: the command's usage, exit 0.
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.usage}\n`);
    return 0;
  }
  const run = await command.load();
  try {
    return await run(rest, io);
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
