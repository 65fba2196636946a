/**
 * The renderer served from `app://pursuit-lab/…` instead of `file://`: a
 * standard, secure scheme gives the page a real origin (so the CSP's 'self'
 * means our files only, not every file on the disk) and lets us send the
 * same security headers as browser mode, COOP/COEP included, which a
 * `file://` page cannot have. Plain Node: index.ts hands it to Electron's
 * `protocol.handle`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { MIME } from './mime';

export const APP_SCHEME = 'app';
export const APP_HOST = 'pursuit-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Isolation so workers may share memory; the CSP itself is in index.html's meta tag. */
const HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/** A file of the built renderer for an `app://pursuit-lab/…` URL, or why not (404, 400). */
export async function appResponse(
  rendererDir: string,
  url: string,
): Promise<{ status: number; headers: Record<string, string>; body?: Uint8Array }> {
  let parsed: URL;
  let relative: string;
  try {
    parsed = new URL(url);
    relative = parsed.pathname === '/' ? 'index.html' : decodeURIComponent(parsed.pathname.slice(1));
  } catch {
    return { status: 400, headers: HEADERS };
  }
  if (parsed.host !== APP_HOST) return { status: 404, headers: HEADERS };
  const root = normalize(rendererDir + sep);
  const file = normalize(join(root, relative));
  if (!file.startsWith(root)) return { status: 404, headers: HEADERS };
  try {
    if (!(await stat(file)).isFile()) return { status: 404, headers: HEADERS };
    const body = new Uint8Array(await readFile(file));
    return {
      status: 200,
      headers: { ...HEADERS, 'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream' },
      body,
    };
  } catch {
    return { status: 404, headers: HEADERS };
  }
}

/**
 * Whether an IPC message comes from our own page: the top frame of a window
 * showing `app://pursuit-lab/` (or, unpackaged, the dev server's origin).
 * A subframe, a page navigated elsewhere or an injected `about:blank` is not.
 */
export function isTrustedSender(
  frame: { readonly url: string; readonly parent: unknown } | null | undefined,
  devOrigin?: string,
): boolean {
  if (frame === null || frame === undefined || frame.parent !== null) return false;
  let origin: string;
  try {
    const url = new URL(frame.url);
    origin = url.protocol === `${APP_SCHEME}:` ? `${url.protocol}//${url.host}` : url.origin;
  } catch {
    return false;
  }
  return origin === APP_ORIGIN || (devOrigin !== undefined && origin === devOrigin);
}

/** The dev server's origin when it is a loopback http URL; anything else is ignored. */
export function devServerOrigin(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    return parsed.protocol === 'http:' && loopback ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
