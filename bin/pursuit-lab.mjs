#!/usr/bin/env node
// `npx pursuit-lab …`: runs the CLI from its TypeScript source through tsx,
// so a checkout needs no build step for the command line.
import { register } from 'tsx/esm/api';

register();
// Commands that read a model file parse it in a worker thread; start that worker first, so
// that it loads the readers while this thread loads the rest of the command line.
const [command, first] = process.argv.slice(2);
if (
  ['inspect', 'invert', 'check', 'generate', 'convert', 'project'].includes(command) &&
  first &&
  !first.startsWith('random:')
) {
  const { defaultModelParser } = await import('../src/main/services/modelParser.ts');
  try {
    defaultModelParser().prewarm();
  } catch {
    // A bad limit in the environment: the command reports it.
  }
}
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
