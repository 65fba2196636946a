/**
 * Electron main process: one window over the renderer, the host services
 * behind typed IPC. The window runs with contextIsolation, no Node
 * integration and the sandbox on; the renderer's CSP is in its index.html.
 * Hardening (README, "Security"): the renderer is served from app://, not
 * file://; IPC answers our own top frame only; every permission request is
 * denied; no webviews, no new windows, no navigation; the dev server URL is
 * ignored in packaged builds; fuses are flipped at packaging (scripts/fuses.mjs).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, protocol, session, shell } from 'electron';
import { modelFormats } from '../core/formats/index';
import type { PickedFile } from '../shared/contract';
import { APP_ORIGIN, APP_SCHEME, appResponse, devServerOrigin, isTrustedSender } from './appProtocol';
import { registerIpc } from './ipc';
import { parseLaunchOptions } from './launchOptions';
import { createEventHub } from './services/events';
import { createHostApi } from './services/hostApi';
import { JobHost } from './services/jobs/host';
import { defaultModelParser } from './services/modelParser';
import { DEFAULT_MODEL, ModelStore } from './services/modelStore';
import { APP_VERSION } from './version';

const here = fileURLToPath(new URL('.', import.meta.url));
const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : resolve(here, '../../resources');
const rendererDir = join(here, '../renderer');

// A packaged app never loads a URL from its environment: ELECTRON_RENDERER_URL is for
// `electron-vite dev` only, and only a loopback http address is taken even then.
const devOrigin = app.isPackaged ? undefined : devServerOrigin(process.env.ELECTRON_RENDERER_URL);

// Before `ready`: app:// is a standard, secure scheme (a real origin for the CSP's 'self',
// fetch and module workers), which file:// is not.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    show: false,
    title: 'Pursuit Lab',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Links open in the system browser; the app window never navigates away.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  if (devOrigin !== undefined) void win.loadURL(process.env.ELECTRON_RENDERER_URL!);
  else void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

/** Session-wide hardening, once the app is ready. */
function hardenSession(): void {
  // The renderer needs no camera, microphone, notifications, geolocation…: deny every request and check.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle(APP_SCHEME, async (request) => {
    const { status, headers, body } = await appResponse(rendererDir, request.url);
    return new Response(body ?? null, { status, headers });
  });
  // Whatever page ends up in a web contents: no <webview>, no new windows.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

async function pickModelFile(): Promise<PickedFile | null> {
  const focused = BrowserWindow.getFocusedWindow();
  const options: Electron.OpenDialogOptions = {
    title: 'Open a generator',
    properties: ['openFile'],
    filters: [
      { name: 'Generators', extensions: modelFormats.flatMap((f) => f.extensions.map((e) => e.slice(1))) },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const picked = focused ? await dialog.showOpenDialog(focused, options) : await dialog.showOpenDialog(options);
  if (picked.canceled || picked.filePaths.length === 0) return null;
  const path = picked.filePaths[0];
  const bytes = new Uint8Array(await readFile(path));
  // A weights-only file's architecture sidecar, when it sits beside it.
  const sidecar = path.replace(/\.[^./\\]+$/, '') + '.arch.json';
  const architecture =
    !path.endsWith('.json') && existsSync(sidecar) ? new Uint8Array(await readFile(sidecar)) : undefined;
  return { fileName: basename(path), bytes, ...(architecture ? { architecture } : {}) };
}

/**
 * report.pdf in the app, printed by Electron's own Chromium (printToPDF), so
 * an app user needs no browser installed. The report is our own
 * self-contained HTML (inline SVG, no scripts): it loads in a hidden window
 * with JavaScript off and the sandbox on, and the window is destroyed after.
 */
async function electronPrintPdf(htmlPath: string, pdfPath: string): Promise<void> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false },
  });
  try {
    await win.loadFile(htmlPath);
    // The report's @page rule sets the paper; backgrounds carry the figures' fills.
    await writeFile(pdfPath, await win.webContents.printToPDF({ printBackground: true, preferCSSPageSize: true }));
  } finally {
    win.destroy();
  }
}

async function main(): Promise<void> {
  const options = parseLaunchOptions(process.argv.slice(app.isPackaged ? 1 : 2), process.env, true);
  await app.whenReady();
  hardenSession();
  const workspace = options.workspace ?? join(app.getPath('userData'), 'workspace');
  const store = new ModelStore({
    workspace,
    bundledDir: join(resourcesDir, 'models'),
    defaultModel: DEFAULT_MODEL,
    parser: defaultModelParser(),
  });
  // Removes what a killed write left in the workspace before anything reads it.
  await store.recover();
  const events = createEventHub();
  const jobs = new JobHost({ workspace, store, events });
  const api = createHostApi({
    store,
    events,
    info: { host: 'electron', version: APP_VERSION, workspace, nativeDialogs: true },
    pickModelFile,
    jobs,
    printPdf: electronPrintPdf,
    revealPath: (path) => shell.showItemInFolder(path),
  });
  // Quitting stops the workers and marks the running and queued runs cancelled (resumable),
  // instead of leaving them to read as interrupted next time.
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void jobs.close().finally(() => app.quit());
  });
  registerIpc(api, events, (frame) => isTrustedSender(frame, devOrigin));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

main().catch((e: unknown) => {
  dialog.showErrorBox('Pursuit Lab could not start', (e as Error).message);
  app.exit(1);
});
