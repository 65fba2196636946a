// `npm start`: the Electron app when its binary is installed; otherwise one
// line saying so, then browser mode (same renderer, same services).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

const electron = electronBinary().path;
let command;
let commandArgs;
if (electron !== undefined) {
  command = electron;
  commandArgs = [root, ...args];
} else {
  console.log(
    "Electron binary not installed (npm skips its download here; Electron's installer, node node_modules/electron/install.js, fetches it) — starting browser mode.",
  );
  command = process.execPath;
  commandArgs = [fileURLToPath(new URL('../out/main/web.js', import.meta.url)), ...args];
}
const child = spawn(command, commandArgs, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
