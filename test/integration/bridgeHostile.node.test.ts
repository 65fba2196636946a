// Hostile and oversized requests against the browser-mode bridge: each ends in a clean
// refusal, and the server goes on answering.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, TOKEN_HEADER, type Bridge } from '../../src/main/bridge/server';
import { createEventHub } from '../../src/main/services/events';
import { createHostApi } from '../../src/main/services/hostApi';
import { createModelParser } from '../../src/main/services/modelParser';
import { ModelStore } from '../../src/main/services/modelStore';
import type { ModelInfo } from '../../src/shared/contract';
import type { Result } from '../../src/shared/result';
import { decodeFrames, encodeFrames, FRAMES_CONTENT_TYPE, fromWire } from '../../src/shared/wire';
import { readFixture } from '../helpers/fixtures';
import { jsonLongName, npzBomb, onnxChain, safetensorsManyTensors } from '../helpers/hostileModels';

const MAX_BODY = 64 * 1024;
const root = mkdtempSync(join(tmpdir(), 'pursuit-lab-hostile-'));
const staticDir = join(root, 'static');
const emptyBundled = join(root, 'bundled');
const logged: string[] = [];

/** A host whose store parses with `limits`, over an empty bundled folder (listing parses nothing). */
async function startHost(limits: { timeLimitMs: number; memoryLimitMb: number }, maxBodyBytes = MAX_BODY) {
  const workspace = mkdtempSync(join(root, 'ws-'));
  const store = new ModelStore({
    workspace,
    bundledDir: emptyBundled,
    parser: createModelParser(limits, (t) => logged.push(t)),
    log: (t) => logged.push(t),
  });
  const events = createEventHub();
  const api = createHostApi({
    store,
    events,
    info: { host: 'browser', version: 'test', workspace, nativeDialogs: false },
    log: (t) => logged.push(t),
  });
  return startBridge({ api, events, staticDir, maxBodyBytes, log: (t) => logged.push(t) });
}

let roomy: Bridge;
let defaults: Bridge;
let timeLimited: Bridge;
let memoryLimited: Bridge;

beforeAll(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(staticDir);
  mkdirSync(emptyBundled);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pursuit Lab</title>');
  roomy = await startHost({ timeLimitMs: 60_000, memoryLimitMb: 4096 });
  defaults = await startHost({ timeLimitMs: 60_000, memoryLimitMb: 4096 }, 16 * 1024 * 1024);
  // Test-only limits: a fresh worker alone takes longer than 50 ms to start; a 16 MiB heap cannot
  // hold the 20 MiB name of jsonLongName(20) (the watchdog does not count the worker's start).
  timeLimited = await startHost({ timeLimitMs: 50, memoryLimitMb: 4096 });
  memoryLimited = await startHost({ timeLimitMs: 60_000, memoryLimitMb: 16 }, 32 * 1024 * 1024);
});
afterAll(async () => {
  await Promise.all([roomy, defaults, timeLimited, memoryLimited].map((b) => b?.close()));
  rmSync(root, { recursive: true, force: true });
});

/** A framed call, as the renderer makes it. */
async function framed(bridge: Bridge, method: string, payload?: unknown) {
  const body = payload === undefined ? new Uint8Array() : Buffer.concat(encodeFrames(payload));
  const res = await fetch(`http://127.0.0.1:${bridge.port}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': FRAMES_CONTENT_TYPE, Accept: FRAMES_CONTENT_TYPE, [TOKEN_HEADER]: bridge.token },
    body,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    body: (type.startsWith(FRAMES_CONTENT_TYPE)
      ? decodeFrames(bytes)
      : fromWire(Buffer.from(bytes).toString())) as Result<unknown>,
  };
}

/** A raw request, for what fetch will not send (a lying Content-Length, a chunked body). */
function raw(
  bridge: Bridge,
  options: {
    path: string;
    method?: string;
    headers?: Record<string, string | number>;
    body?: Buffer;
    chunks?: Buffer[];
  },
) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: bridge.port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    // The server may close the connection while we still send: that is the point of the test.
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
    );
    if (options.body) req.write(options.body);
    for (const c of options.chunks ?? []) req.write(c);
    req.end();
  });
}

const listWorks = async (bridge: Bridge) => {
  const r = await framed(bridge, 'listModels');
  expect(r).toMatchObject({ status: 200, body: { ok: true } });
};

describe('bridge under hostile input', () => {
  it('imports a model as binary frames and answers its data as binary', async () => {
    const imported = await framed(roomy, 'importModel', {
      fileName: 'tiny-plu.json',
      bytes: readFixture('json-models/tiny-plu.json'),
    });
    expect(imported.body.ok).toBe(true);
    const info = (imported.body as { value: ModelInfo }).value;
    const data = await framed(roomy, 'getModelData', { id: info.id });
    const bytes = (data.body as { value: { bytes: Uint8Array } }).value.bytes;
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes)).toContain('"pursuit-lab/generator"');
  });

  it('refuses a declared body over the limit with 413 before reading it, and keeps serving', async () => {
    const r = await raw(roomy, {
      path: '/api/call/importModel',
      method: 'POST',
      headers: { [TOKEN_HEADER]: roomy.token, 'Content-Type': FRAMES_CONTENT_TYPE, 'Content-Length': MAX_BODY * 8 },
      body: Buffer.alloc(MAX_BODY * 8),
    });
    expect(r.status).toBe(413);
    expect(fromWire(r.text)).toMatchObject({ ok: false, error: { code: 'limit' } });
    await listWorks(roomy);
  });

  it('stops reading a chunked body once it passes the limit, answers 413, and keeps serving', async () => {
    const chunk = Buffer.alloc(16 * 1024, 1);
    const r = await raw(roomy, {
      path: '/api/call/importModel',
      method: 'POST',
      headers: { [TOKEN_HEADER]: roomy.token, 'Content-Type': FRAMES_CONTENT_TYPE, 'Transfer-Encoding': 'chunked' },
      chunks: Array.from({ length: 12 }, () => chunk),
    });
    expect(r.status).toBe(413);
    await listWorks(roomy);
  });

  it('answers a body shorter than its Content-Length, or malformed frames, with 400', async () => {
    const bad = await framed(roomy, 'importModel', undefined);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const garbage = await raw(roomy, {
      path: '/api/call/importModel',
      method: 'POST',
      headers: { [TOKEN_HEADER]: roomy.token, 'Content-Type': FRAMES_CONTENT_TYPE },
      body: Buffer.from('PLF1 not really frames'),
    });
    expect(garbage.status).toBe(400);
    expect(garbage.text).not.toMatch(/\n\s+at /); // no stack trace
    await listWorks(roomy);
  });

  it('refuses a plain JSON body over 1 MiB (bytes travel framed, not as base64)', async () => {
    const r = await raw(roomy, {
      path: '/api/call/importModel',
      method: 'POST',
      headers: { [TOKEN_HEADER]: roomy.token, 'Content-Type': 'application/json' },
      body: Buffer.alloc(1024 * 1024 + 1, 0x20),
    });
    expect(r.status).toBe(413);
    await listWorks(roomy);
  });

  it('answers a malformed %-escape in a static path with 400, not 500', async () => {
    for (const path of ['/%E0%A4%A', '/assets/%zz.js', '/%']) {
      const r = await raw(roomy, { path });
      expect(r.status, path).toBe(400);
    }
    expect((await raw(roomy, { path: '/' })).status).toBe(200);
  });

  it('takes the token in the query string on the event stream only, not on /api/call', async () => {
    const r = await fetch(`http://127.0.0.1:${roomy.port}/api/call/listModels?token=${roomy.token}`, {
      method: 'POST',
    });
    expect(r.status).toBe(401);
    expect(fromWire(await r.text())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const controller = new AbortController();
    const events = await fetch(`http://127.0.0.1:${roomy.port}/api/events?token=${roomy.token}`, {
      signal: controller.signal,
    });
    expect(events.status).toBe(200);
    controller.abort();
  });

  it('refuses a parse over the time limit in one line, and answers the next call', async () => {
    const r = await framed(timeLimited, 'importModel', {
      fileName: 'tiny-tanh.json',
      bytes: readFixture('json-models/tiny-tanh.json'),
    });
    expect(r.body).toMatchObject({
      ok: false,
      error: {
        code: 'limit',
        message: 'model parsing took longer than 50 ms (the parse time limit); the file was refused',
      },
    });
    await listWorks(timeLimited);
  });

  it('refuses a parse over the memory limit in one line, and answers the next call', async () => {
    const r = await framed(memoryLimited, 'importModel', { fileName: 'long-name.json', bytes: jsonLongName(20) });
    expect(r.body).toMatchObject({
      ok: false,
      error: {
        code: 'limit',
        message: 'model parsing needed more than 16 MB (the parse memory limit); the file was refused',
      },
    });
    expect(Object.keys((r.body as { error: object }).error)).toEqual(['code', 'message']);
    await listWorks(memoryLimited);
  });

  it('answers other calls while a model is being parsed', async () => {
    const order: string[] = [];
    const importing = framed(defaults, 'importModel', {
      fileName: 'mnist-fc-gan.onnx',
      bytes: new Uint8Array(readFixture('../../resources/models/mnist-fc-gan.onnx')),
    }).then((r) => {
      order.push('import');
      return r;
    });
    // Several calls, each answered while the parse (a worker start and a 1.4 MB ONNX file) goes on.
    for (let i = 0; i < 3; i++) {
      await listWorks(defaults);
      order.push('list');
    }
    const imported = await importing;
    expect(imported.body).toMatchObject({ ok: true, value: { format: 'onnx' } });
    expect(order).toEqual(['list', 'list', 'list', 'import']);
  });

  // The table, each row made small enough for CI: every file ends in a one-line refusal
  // (or, for the Identity chain, a model) while the host answers another call.
  const hostileRows: [string, string, () => Uint8Array, RegExp | 'opens'][] = [
    [
      'a custom output that builds a 10⁵ × 10⁵ matrix',
      'bomb.json',
      () => readFixture('json-models/custom-zeros-bomb.json'),
      /calls sum, which is not one of the allowed functions/,
    ],
    [
      'an npz whose float16 array declares 32768 × 32760 entries',
      'bomb.npz',
      () => npzBomb(32768, 32760, 2_100_000),
      /over the 2 GiB model budget/,
    ],
    ['an ONNX chain of 10,000 Identity nodes', 'chain.onnx', () => onnxChain(10_000), 'opens'],
    [
      'a safetensors file with 40,000 tiny tensors',
      'many.safetensors',
      () => safetensorsManyTensors(20_000),
      /^[^\n]+$/,
    ],
    [
      'JSON nested 10⁶ deep',
      'deep.json',
      () => new TextEncoder().encode('{"format":"pursuit-lab/generator","version":1,"x":' + '['.repeat(1_000_000)),
      /nested more than 64 levels deep/,
    ],
    [
      'inputDim 1e15',
      'wide.json',
      () =>
        new TextEncoder().encode(
          JSON.stringify({
            format: 'pursuit-lab/generator',
            version: 1,
            inputDim: 1e15,
            output: 'tanh',
            layers: [
              { W: [[1]], b: [0] },
              { W: [[1]], b: [0] },
            ],
          }),
        ),
      /need 7\.1 PiB as float64, over the 2 GiB model budget/,
    ],
  ];
  it.each(hostileRows)(
    '%s: refused in one line (or opened) while the host answers',
    async (_row, fileName, bytes, expected) => {
      const importing = framed(defaults, 'importModel', { fileName, bytes: bytes() });
      await listWorks(defaults);
      const r = await importing;
      if (expected === 'opens') {
        expect(r.body.ok).toBe(true);
        return;
      }
      expect(r.body.ok).toBe(false);
      const error = (r.body as { error: { code: string; message: string } }).error;
      expect(Object.keys(error)).toEqual(['code', 'message']);
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).not.toMatch(/\bat .+:\d+:\d+/);
      expect(error.message).toMatch(expected);
      await listWorks(defaults);
    },
  );
});
