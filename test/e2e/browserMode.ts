import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface BrowserModeApp {
  /** The address the host printed, token included. */
  readonly url: string;
  readonly workspace: string;
  stop(): Promise<void>;
}

/**
 * Starts the built browser-mode host exactly as a user would
 * (`node out/main/web.js --port 0 --no-open`) with a fresh workspace, and
 * reads the one line it prints.
 */
export async function startBrowserMode(): Promise<BrowserModeApp> {
  const workspace = mkdtempSync(join(tmpdir(), 'pursuit-lab-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [resolve('out/main/web.js'), '--port', '0', '--no-open', '--workspace', workspace],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`browser mode did not start in 20 s: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const match = /^Pursuit Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/.exec(line);
      if (match) ok(match[1]);
      else fail(new Error(`unexpected first line: ${line}`));
    });
    child.once('exit', (code) => fail(new Error(`browser mode exited (${code}): ${stderr}`)));
  });
  return {
    url,
    workspace,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}
