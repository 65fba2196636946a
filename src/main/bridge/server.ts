import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { HostApi } from '../../shared/contract';
import { err } from '../../shared/result';
import { isHostMethod, MAX_IMPORT_BYTES, validateRequest } from '../../shared/validate';
import { decodeFrames, encodeFrames, FRAMES_CONTENT_TYPE, fromWire, toWire } from '../../shared/wire';
import type { EventHub } from '../services/events';
import { readBody, RequestBodyError } from './body';
import { MIME } from '../mime';

/**
 * Browser mode: the renderer served on 127.0.0.1 with the host API behind
 * HTTP. Requests go to `POST /api/call/<method>` (body and answer in the
 * wire encoding of shared/wire.ts); events stream from `GET /api/events` as
 * server-sent events.
 *
 * Calls that carry bytes (a model import, a model's data) use the binary
 * framing of shared/wire.ts (`Content-Type`/`Accept`
 * application/vnd.pursuit-lab.frames): the body is read as bytes, with the
 * size limit enforced while reading, and is never made into a string. Plain
 * JSON bodies are accepted for small calls (up to 1 MiB).
 *
 * Security: binds loopback only; every /api request needs the per-launch
 * token in the `x-pursuit-token` header — only the event stream also takes
 * it as `?token=` (EventSource cannot set headers; a token in a call's URL
 * would end up in logs and history); a request whose Origin or Host is not
 * this server's is refused, which stops other web pages and DNS rebinding.
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
  /** Largest framed request body, in bytes. @default the largest import plus 2 MiB */
  readonly maxBodyBytes?: number;
  /** Where stack traces of unexpected errors go (never to the client). @default console.error */
  readonly log?: (text: string) => void;
}

export interface Bridge {
  /** `http://127.0.0.1:PORT/?token=…`: the address to open. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-pursuit-token';

/** The largest import, its architecture sidecar (1 MiB) and the framing around them. */
const MAX_BODY_BYTES = MAX_IMPORT_BYTES + 2 * 1024 * 1024;

/** A plain JSON body: small calls only (bytes travel framed, not as base64). */
const MAX_JSON_BODY_BYTES = 1024 * 1024;

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

function errorCode(status: number) {
  return status === 401 || status === 403
    ? 'forbidden'
    : status === 404
      ? 'not-found'
      : status === 413
        ? 'limit'
        : 'bad-request';
}

function sendError(res: ServerResponse, status: number, message: string): void {
  send(res, status, toWire(err(errorCode(status), message)));
}

/** Answers a call: framed when the client accepts frames (a model's bytes stay binary), else JSON. */
function sendResult(req: IncomingMessage, res: ServerResponse, value: unknown): void {
  if (!(req.headers.accept ?? '').includes(FRAMES_CONTENT_TYPE)) return send(res, 200, toWire(value));
  const parts = encodeFrames(value);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': FRAMES_CONTENT_TYPE,
    'Content-Length': String(parts.reduce((n, p) => n + p.length, 0)),
    'Cache-Control': 'no-store',
  });
  for (const part of parts) res.write(part);
  res.end();
}

/** Decodes a path segment; undefined for a malformed %-escape (a 400, not a server error). */
function decodePath(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? ((text: string) => console.error(text));
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
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
    const relative = pathname === '/' ? 'index.html' : decodePath(pathname.slice(1));
    if (relative === undefined) return sendError(res, 400, 'malformed %-escape in the path');
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
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return sendError(res, 400, 'malformed request target');
    }
    if (!ownHosts().includes(req.headers.host ?? '')) return sendError(res, 403, 'unexpected Host header');
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'method not allowed');
      return serveStatic(url.pathname, res);
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins().includes(origin))
      return sendError(res, 403, 'cross-origin request refused');
    if (req.headers['sec-fetch-site'] === 'cross-site') return sendError(res, 403, 'cross-site request refused');
    const isEventStream = url.pathname === '/api/events' && req.method === 'GET';
    const given = req.headers[TOKEN_HEADER];
    const header = Array.isArray(given) ? given[0] : given;
    // The query-string token is for EventSource only, which cannot send headers.
    if (!tokenMatches(header ?? (isEventStream ? url.searchParams.get('token') : undefined))) {
      const inQuery = header === undefined && url.searchParams.has('token');
      return sendError(
        res,
        401,
        inQuery
          ? 'the token goes in the x-pursuit-token header (the query string is for the event stream only)'
          : 'missing or wrong token',
      );
    }

    if (isEventStream) {
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
    const framed = (req.headers['content-type'] ?? '').startsWith(FRAMES_CONTENT_TYPE);
    let payload: unknown;
    try {
      const body = await readBody(req, framed ? maxBody : MAX_JSON_BODY_BYTES);
      payload = body.length === 0 ? undefined : framed ? decodeFrames(body) : fromWire(body.toString('utf8'));
    } catch (e) {
      if (e instanceof RequestBodyError) return refuseBody(req, res, e.status, e.message);
      return sendError(res, 400, `unreadable request: ${(e as Error).message.split('\n')[0]}`);
    }
    const valid = validateRequest(method, payload);
    if (!valid.ok) return sendResult(req, res, valid);
    // The validator guarantees the payload's shape for this method.
    const call = options.api[method] as (arg: unknown) => Promise<unknown>;
    sendResult(req, res, await call.call(options.api, valid.value));
  }

  /**
   * Answers a body that is too large or broken, then closes the connection:
   * the rest of an oversized upload is not read.
   */
  function refuseBody(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
    if (res.headersSent || res.destroyed) return void req.socket.destroy();
    res.setHeader('Connection', 'close');
    res.on('finish', () => req.socket.destroy());
    sendError(res, status, message);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // The stack stays in the host's log; the client gets one line.
      log(`bridge error on ${req.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent)
        send(res, 500, toWire(err('internal', 'bridge error: the host could not answer this request')));
      else res.end();
    });
  });
  // A malformed request line or headers: answer 400 and close, never throw.
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
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
