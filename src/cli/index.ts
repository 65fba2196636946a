// The `pursuit-lab` command's process entry: real stdout/stderr, real exit code.
// bin/pursuit-lab.mjs imports it, built (out/cli/index.js) or from source through tsx.
import { runCli } from './main';

/** Commands whose first argument is a model file, parsed in a worker thread. */
const MODEL_COMMANDS = ['inspect', 'invert', 'check', 'generate', 'convert', 'project'];

/**
 * Starts the model parser's worker before the command's code is loaded, so the worker loads
 * the readers while this thread loads the rest of the command line.
 */
async function prewarmModelParser(argv: readonly string[]): Promise<void> {
  const [command, first] = argv;
  if (command === undefined || !MODEL_COMMANDS.includes(command) || first === undefined) return;
  if (first.startsWith('random:') || first.startsWith('-')) return;
  const { defaultModelParser } = await import('../main/services/modelParser');
  try {
    defaultModelParser().prewarm();
  } catch {
    // A bad limit in the environment: the command reports it.
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  // A closed pipe (`pursuit-lab … | head`) ends the output, not the process with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  await prewarmModelParser(argv);
  return runCli(argv, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTerminal: process.stderr.isTTY === true,
  });
}
