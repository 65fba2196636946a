import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { HostApi } from '../../shared/contract';
import { err } from '../../shared/result';
import { isHostMethod, MAX_IMPORT_BYTES, validateRequest } from '../../shared/validate';
import { fromWire, toWire } from '../../shared/wire';
import type { EventHub } from '../services/events';

/**
 * Browser mode: the renderer served on 127.0.0.1 with the host API behind
 * HTTP. Requests go to `POST /api/call/<method>` (body and answer in the
 * wire encoding of shared/wire.ts); events stream from `GET /api/events` as
 * server-sent events.
 *
 * Security: binds loopback only; every /api request needs the per-launch
 * token (header `x-pursuit-token`, or `?token=` for EventSource, which cannot
 * set headers); a request whose Origin or Host is not this server's is
 * refused, which stops other web pages and DNS rebinding.
 */
export interface BridgeOptions {
  readonly api: HostApi;
  readonly events: EventHub;
  /** Built renderer (index.html and assets). */
  readonly staticDir: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Fixed token (tests); random when omitted. */
  readonly token?: string;
}

export interface Bridge {
  /** `http://127.0.0.1:PORT/?token=…`: the address to open. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-pursuit-token';

/** Base64 of the largest import, plus room for the JSON around it. */
const MAX_BODY_BYTES = Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 64 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Same policy as the Electron window's meta tag; plus isolation so workers may share memory. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  send(
    res,
    status,
    toWire(err(status === 401 || status === 403 ? 'forbidden' : status === 404 ? 'not-found' : 'bad-request', message)),
  );
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new RangeError(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const sseClients = new Set<ServerResponse>();
  let port = 0;

  const tokenMatches = (given: string | null | undefined): boolean => {
    if (typeof given !== 'string') return false;
    const g = Buffer.from(given);
    return g.length === tokenBytes.length && timingSafeEqual(g, tokenBytes);
  };
  const ownOrigins = () => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const ownHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

  const unsubscribe = options.events.subscribe((event, payload) => {
    const frame = `event: ${event}\ndata: ${toWire(payload)}\n\n`;
    for (const client of sseClients) client.write(frame);
  });

  async function serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    const root = normalize(options.staticDir + sep);
    const file = normalize(join(root, relative));
    if (!file.startsWith(root)) return sendError(res, 404, 'not found');
    try {
      if (!(await stat(file)).isFile()) return sendError(res, 404, 'not found');
      const body = await readFile(file);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Cache-Control': relative === 'index.html' ? 'no-store' : 'max-age=3600',
      });
      res.end(body);
    } catch {
      sendError(res, 404, 'not found');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!ownHosts().includes(req.headers.host ?? '')) return sendError(res, 403, 'unexpected Host header');
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'method not allowed');
      return serveStatic(url.pathname, res);
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins().includes(origin))
      return sendError(res, 403, 'cross-origin request refused');
    if (req.headers['sec-fetch-site'] === 'cross-site') return sendError(res, 403, 'cross-site request refused');
    const given = req.headers[TOKEN_HEADER];
    if (!tokenMatches(Array.isArray(given) ? given[0] : (given ?? url.searchParams.get('token')))) {
      return sendError(res, 401, 'missing or wrong token');
    }

    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }

    const method = url.pathname.startsWith('/api/call/') ? url.pathname.slice('/api/call/'.length) : '';
    if (req.method !== 'POST' || !isHostMethod(method))
      return sendError(res, 404, `no such API method: ${method || url.pathname}`);
    let payload: unknown;
    try {
      const text = await readBody(req, MAX_BODY_BYTES);
      payload = text === '' ? undefined : fromWire(text);
    } catch (e) {
      return sendError(res, 400, `unreadable request: ${(e as Error).message}`);
    }
    const valid = validateRequest(method, payload);
    if (!valid.ok) return send(res, 200, toWire(valid));
    // The validator guarantees the payload's shape for this method.
    const call = options.api[method] as (arg: unknown) => Promise<unknown>;
    send(res, 200, toWire(await call.call(options.api, valid.value)));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, toWire(err('internal', `bridge error: ${(e as Error).message}`)));
      else res.end();
    });
  });
  const heartbeat = setInterval(() => {
    for (const client of sseClients) client.write(': keep-alive\n\n');
  }, 25_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        unsubscribe();
        for (const client of sseClients) client.end();
        sseClients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
