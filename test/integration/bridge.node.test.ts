import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, TOKEN_HEADER, type Bridge } from '../../src/main/bridge/server';
import type { ModelInfo } from '../../src/shared/contract';
import type { Result } from '../../src/shared/result';
import { fromWire, toWire } from '../../src/shared/wire';
import { readFixture } from '../helpers/fixtures';
import { createTestHost } from '../helpers/host';

const host = createTestHost();
const staticDir = mkdtempSync(join(tmpdir(), 'pursuit-lab-static-'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pursuit Lab</title>');
let bridge: Bridge;

beforeAll(async () => {
  bridge = await startBridge({ api: host.api, events: host.events, staticDir });
});
afterAll(async () => {
  await bridge.close();
  host.dispose();
});

const base = () => `http://127.0.0.1:${bridge.port}`;

async function call(
  method: string,
  payload?: unknown,
  headers: Record<string, string> = { [TOKEN_HEADER]: bridge.token },
) {
  const res = await fetch(`${base()}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: payload === undefined ? '' : toWire(payload),
  });
  return { status: res.status, body: fromWire(await res.text()) as Result<unknown> };
}

describe('browser-mode bridge', () => {
  it('binds loopback and prints a tokenised address', () => {
    expect(bridge.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${bridge.port}/\\?token=[\\w-]{32}$`));
  });

  it('refuses an API request without the token, or with a wrong one', async () => {
    const none = await call('listModels', undefined, {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const wrong = await call('listModels', undefined, { [TOKEN_HEADER]: 'x'.repeat(bridge.token.length) });
    expect(wrong.status).toBe(401);
  });

  it('refuses a request from another origin even with the token', async () => {
    const r = await call('listModels', undefined, { [TOKEN_HEADER]: bridge.token, Origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'cross-origin request refused' } });
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          path: '/api/call/listModels',
          method: 'POST',
          headers: { Host: 'attacker.example', [TOKEN_HEADER]: bridge.token },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('lists the bundled default model with the token', async () => {
    const r = await call('listModels');
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    const models = (r.body as { value: ModelInfo[] }).value;
    expect(models[0]).toMatchObject({ id: 'bundled:gaussian-100-300-625-tanh.json', source: 'bundled' });
    expect(models[0].summary.dims).toEqual([100, 300, 625]);
  });

  it('validates payloads and returns model errors as data', async () => {
    expect((await call('importModel', { fileName: 'x.json' })).body).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    const bad = await call('importModel', { fileName: 'bad.json', bytes: readFixture('json-models/nan-bias.json') });
    expect(bad.body).toMatchObject({
      ok: false,
      error: { code: 'model-format', message: expect.stringContaining('layers[0].b[1]') },
    });
    expect((await call('nope')).status).toBe(404);
    expect((await call('openModelDialog')).body).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('imports a model, streams models-changed over SSE, and serves its data', async () => {
    const controller = new AbortController();
    const events = await fetch(`${base()}/api/events?token=${bridge.token}`, { signal: controller.signal });
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = events.body!.getReader();
    await reader.read(); // ": connected"

    const imported = await call('importModel', {
      fileName: 'tiny-plu.json',
      bytes: readFixture('json-models/tiny-plu.json'),
    });
    expect(imported.body.ok).toBe(true);
    const info = (imported.body as { value: ModelInfo }).value;
    expect(info).toMatchObject({ source: 'workspace', format: 'json', fileName: 'tiny-plu.json' });

    let text = '';
    // Read until the event itself (a keep-alive comment may come first); stop if the stream ends.
    while (!/event: models-changed\ndata: [^\n]*\n\n/.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toContain('event: models-changed');
    const payload = fromWire(text.split('event: models-changed\ndata: ')[1].split('\n')[0]) as { models: ModelInfo[] };
    expect(payload.models.map((m) => m.id)).toContain(info.id);
    controller.abort();

    const data = await call('getModelData', { id: info.id });
    expect(data.body.ok).toBe(true);
    const bytes = (data.body as { value: { bytes: Uint8Array } }).value.bytes;
    expect(new TextDecoder().decode(bytes)).toContain('"pursuit-lab/generator"');
    expect((await call('getModelData', { id: '0123456789abcdef' })).body).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('removes an imported model (folder and list entry) and refuses a bundled one', async () => {
    const imported = await call('importModel', {
      fileName: 'tiny-plu.json',
      bytes: readFixture('json-models/tiny-plu.json'),
    });
    const { id } = (imported.body as { value: ModelInfo }).value;
    expect(existsSync(join(host.workspace, 'models', id))).toBe(true);

    expect((await call('deleteModel', { id })).body).toEqual({ ok: true, value: { id } });
    expect(existsSync(join(host.workspace, 'models', id))).toBe(false);
    const list = (await call('listModels')).body as { value: ModelInfo[] };
    expect(list.value.some((m) => m.id === id)).toBe(false);
    expect(readdirSync(join(host.workspace, 'models'))).toEqual([]); // no leftover temp folder
    expect((await call('getModelData', { id })).body).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect((await call('deleteModel', { id })).body).toMatchObject({ ok: false, error: { code: 'not-found' } });

    // A model a queued or running run uses stays until the run ends.
    const again = await call('importModel', {
      fileName: 'tiny-plu.json',
      bytes: readFixture('json-models/tiny-plu.json'),
    });
    expect((again.body as { value: ModelInfo }).value.id).toBe(id);
    const run = await call('startRun', { spec: { kind: 'check', model: id, samples: 100_000 } });
    expect(run.body, JSON.stringify(run.body)).toMatchObject({ ok: true });
    const runId = (run.body as { value: { id: string } }).value.id;
    const refused = await call('deleteModel', { id });
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((refused.body as { error: { message: string } }).error.message).toContain(runId);
    expect(existsSync(join(host.workspace, 'models', id))).toBe(true);
    expect((await call('cancelRun', { id: runId })).body).toMatchObject({ ok: true, value: { state: 'cancelled' } });
    expect((await call('deleteModel', { id })).body).toEqual({ ok: true, value: { id } });

    const bundled = await call('deleteModel', { id: 'bundled:mnist-fc-gan.onnx' });
    expect(bundled.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((bundled.body as { error: { message: string } }).error.message).toMatch(/bundled.*cannot be removed/);
    expect((await call('deleteModel', { id: 'bundled:nope.onnx' })).body).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect((await call('deleteModel', { id: '../../etc' })).body).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });

  it('serves the renderer with isolation headers, and nothing outside it', async () => {
    const page = await fetch(`${base()}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect((await fetch(`${base()}/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base()}/missing.js`)).status).toBe(404);
  });
});
