import { spawnSync } from 'node:child_process';
import { repoPath } from './fixtures';

/** Runs `pursuit-lab …` exactly as `npx pursuit-lab` would (the bin script, a real process). */
export function runCliProcess(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [repoPath('bin/pursuit-lab.mjs'), ...args], {
    cwd: options.cwd ?? repoPath('.'),
    encoding: 'utf8',
    env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
