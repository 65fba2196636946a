/**
 * Browser mode: the same renderer and services as the Electron app, served
 * on 127.0.0.1 behind the token-protected HTTP bridge. Used where Electron
 * cannot run (CI, machines without the Electron binary) and by the e2e tests.
 *
 *   node out/main/web.js [--port N] [--no-open] [--workspace DIR]
 *
 * Prints exactly one line, `Pursuit Lab: http://127.0.0.1:PORT/?token=…`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBridge } from './bridge/server';
import { LaunchOptionsError, parseLaunchOptions } from './launchOptions';
import { createEventHub } from './services/events';
import { createHostApi } from './services/hostApi';
import { JobHost } from './services/jobs/host';
import { defaultModelParser } from './services/modelParser';
import { DEFAULT_MODEL, ModelStore } from './services/modelStore';
import { APP_VERSION } from './version';

// Both src/main and out/main sit two levels below the repository root.
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined); // no browser launcher: the printed address is enough
  child.unref();
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseLaunchOptions(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof LaunchOptionsError) {
      console.error(`pursuit-lab: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const staticDir = resolve(root, 'out/renderer');
  if (!existsSync(resolve(staticDir, 'index.html'))) {
    console.error(
      'pursuit-lab: the renderer is not built (out/renderer/index.html is missing); run `npm run build` first',
    );
    process.exit(1);
  }
  const workspace = options.workspace ?? resolve('pursuit-lab-workspace');
  let parser;
  try {
    parser = defaultModelParser();
  } catch (e) {
    console.error(`pursuit-lab: ${(e as Error).message}`);
    process.exit(2);
  }
  const store = new ModelStore({
    workspace,
    bundledDir: resolve(root, 'resources/models'),
    defaultModel: DEFAULT_MODEL,
    parser,
  });
  // Removes what a killed write left in the workspace before anything reads it.
  await store.recover();
  const events = createEventHub();
  const jobs = new JobHost({ workspace, store, events });
  const api = createHostApi({
    store,
    events,
    info: { host: 'browser', version: APP_VERSION, workspace, nativeDialogs: false },
    jobs,
  });
  let bridge;
  try {
    bridge = await startBridge({ api, events, staticDir, port: options.port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    console.error(
      `pursuit-lab: cannot listen on 127.0.0.1:${options.port}${code === 'EADDRINUSE' ? ' (the port is in use; pick another with --port N, or --port 0 for any free one)' : ''}: ${(e as Error).message}`,
    );
    process.exit(1);
  }
  console.log(`Pursuit Lab: ${bridge.url}`);
  if (options.open) openInBrowser(bridge.url);
  // Ctrl-C stops the workers and marks running and queued runs cancelled (resumable).
  const stop = () =>
    void jobs
      .close()
      .catch(() => undefined)
      .then(() => bridge.close())
      .then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
