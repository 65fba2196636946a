import { spawnSync } from 'node:child_process';
import { repoPath } from './fixtures';

/**
 * Which CLI a test process runs. Unset: whatever the bin picks, as for a user — the build in
 * out/cli while it is up to date with src/, else the source through tsx; either way the code
 * in src/ as it is now. PURSUIT_LAB_CLI=source or =built in the test's environment forces one
 * for every CLI test (`built` needs `npm run build:cli` first: the bin refuses a stale build).
 */
export type CliMode = 'source' | 'built' | undefined;

/** The environment of a CLI process: this one's, then the mode if one is given, then `extra`. */
export function cliEnv(extra: Record<string, string> = {}, mode?: CliMode): NodeJS.ProcessEnv {
  return { ...process.env, ...(mode === undefined ? {} : { PURSUIT_LAB_CLI: mode }), ...extra };
}

/** Runs `pursuit-lab …` exactly as `npx pursuit-lab` would (the bin script, a real process). */
export function runCliProcess(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; mode?: CliMode; nodeArgs?: string[] } = {},
) {
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), repoPath('bin/pursuit-lab.mjs'), ...args], {
    cwd: options.cwd ?? repoPath('.'),
    encoding: 'utf8',
    env: cliEnv(options.env, options.mode),
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
