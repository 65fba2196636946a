import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Path of the installed Electron binary, or undefined with the reason when
 * there is none (npm skips its download on machines without GitHub access).
 * @returns {{ path: string } | { path: undefined, reason: string }}
 */
export function electronBinary() {
  try {
    // The electron package exports the binary's path and throws when it was never downloaded.
    const path = createRequire(import.meta.url)('electron');
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { path: undefined, reason: `the Electron binary is missing (${path})` };
  } catch (e) {
    return { path: undefined, reason: `the Electron binary is not installed (${e.message.split('\n')[0]})` };
  }
}
