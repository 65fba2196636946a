import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The system's Chromium: $PURSUIT_LAB_CHROMIUM, else the usual paths; undefined when none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.PURSUIT_LAB_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export const NO_CHROMIUM =
  'PDF skipped: no Chromium found (install it, e.g. `apt-get install -y chromium`, or set PURSUIT_LAB_CHROMIUM to its path)';

/**
 * Prints an HTML file to PDF with headless Chromium. A fresh profile each time
 * (required as root, and no state leaks between reports); the background
 * networking flags keep it from calling out on a closed network.
 */
export async function htmlToPdf(chromium: string, htmlPath: string, pdfPath: string, timeoutMs = 60_000) {
  const profile = await mkdtemp(join(tmpdir(), 'pl-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--no-pdf-header-footer',
      `--print-to-pdf=${pdfPath}`,
      pathToFileURL(htmlPath).href,
    ];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0 && existsSync(pdfPath)) resolve();
        else
          reject(
            new Error(`chromium exited with ${signal ?? code} printing ${htmlPath}: ${stderr.trim().slice(-600)}`),
          );
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
