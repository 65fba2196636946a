/**
 * Electron main process: one window over the renderer, the host services
 * behind typed IPC. The window runs with contextIsolation, no Node
 * integration and the sandbox on; the renderer's CSP is in its index.html.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, shell } from 'electron';
import { modelFormats } from '../core/formats/index';
import type { PickedFile } from '../shared/contract';
import { registerIpc } from './ipc';
import { parseLaunchOptions } from './launchOptions';
import { createEventHub } from './services/events';
import { createHostApi } from './services/hostApi';
import { DEFAULT_MODEL, ModelStore } from './services/modelStore';
import { APP_VERSION } from './version';

const here = fileURLToPath(new URL('.', import.meta.url));
const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : resolve(here, '../../resources');

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
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && devUrl !== undefined) void win.loadURL(devUrl);
  else void win.loadFile(join(here, '../renderer/index.html'));
  return win;
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

async function main(): Promise<void> {
  const options = parseLaunchOptions(process.argv.slice(app.isPackaged ? 1 : 2), process.env, true);
  await app.whenReady();
  const workspace = options.workspace ?? join(app.getPath('userData'), 'workspace');
  const store = new ModelStore({ workspace, bundledDir: join(resourcesDir, 'models'), defaultModel: DEFAULT_MODEL });
  const events = createEventHub();
  const api = createHostApi({
    store,
    events,
    info: { host: 'electron', version: APP_VERSION, workspace, nativeDialogs: true },
    pickModelFile,
  });
  registerIpc(api, events);
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
