#!/usr/bin/env node
// `npx pursuit-lab …`. Runs the built CLI (out/cli/, made by `npm run build:cli`, which
// `npm install`/`npm ci` run through `prepare` and `npm run build` runs too) while it is
// up to date with its sources; otherwise the TypeScript source through tsx, which first
// compiles it (seconds before any work). PURSUIT_LAB_CLI=source always runs the source
// (development), PURSUIT_LAB_CLI=built always the build (it refuses a stale one: tests);
// PURSUIT_LAB_SHOW_MODE=1 says on stderr which one ran and why.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('out/cli/index.js', root);

/** Why the build cannot be used, or undefined when it can. */
function staleBuild() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(new URL('out/cli/stamp.json', root), 'utf8'));
    statSync(built);
  } catch {
    return 'no build in out/cli';
  }
  // The stamp lists every source file of the build with the mtime it was built from: about
  // a hundred stat calls, a millisecond or two. A changed, moved or deleted file means stale.
  for (const [file, mtimeMs] of Object.entries(stamp.inputs ?? {})) {
    let now;
    try {
      now = statSync(new URL(file, root)).mtimeMs;
    } catch {
      return `${file} is gone since the build`;
    }
    if (now !== mtimeMs) return `${file} changed since the build`;
  }
  return undefined;
}

const wanted = process.env.PURSUIT_LAB_CLI ?? '';
if (!['', 'source', 'built'].includes(wanted)) {
  process.stderr.write(`pursuit-lab: PURSUIT_LAB_CLI must be "source" or "built", not "${wanted}"\n`);
  process.exit(2);
}
const forced = wanted === 'source';
const why = forced ? 'PURSUIT_LAB_CLI=source' : staleBuild();
if (wanted === 'built' && why !== undefined) {
  process.stderr.write(`pursuit-lab: PURSUIT_LAB_CLI=built, but ${why}: run \`npm run build:cli\`\n`);
  process.exit(2);
}
const showMode = process.env.PURSUIT_LAB_SHOW_MODE === '1';

let cli;
if (why === undefined) {
  if (showMode) process.stderr.write('pursuit-lab: mode built (out/cli/index.js)\n');
  // The build's source maps: stack traces name src/ files and lines.
  process.setSourceMapsEnabled(true);
  cli = await import(built.href);
} else {
  if (showMode) process.stderr.write(`pursuit-lab: mode source (${why})\n`);
  else if (!forced && process.stderr.isTTY)
    process.stderr.write(
      `pursuit-lab: running from source through tsx (${why}; \`npm run build:cli\` starts faster)\n`,
    );
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('src/cli/index.ts', root).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
