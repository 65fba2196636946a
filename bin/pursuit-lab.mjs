#!/usr/bin/env node
// `npx pursuit-lab …`: runs the CLI from its TypeScript source through tsx,
// so a checkout needs no build step for the command line.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
