import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appResponse, devServerOrigin, isTrustedSender } from '../../../src/main/appProtocol';

const dir = mkdtempSync(join(tmpdir(), 'pursuit-lab-app-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html>');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol and IPC sender checks', () => {
  it('serves the renderer with isolation headers, and nothing outside it', async () => {
    const page = await appResponse(dir, 'app://pursuit-lab/');
    expect(page.status).toBe(200);
    expect(page.headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(page.headers['Content-Type']).toContain('text/html');
    expect((await appResponse(dir, 'app://pursuit-lab/..%2f..%2fetc%2fpasswd')).status).toBe(404);
    expect((await appResponse(dir, 'app://elsewhere/index.html')).status).toBe(404);
    expect((await appResponse(dir, 'app://pursuit-lab/%E0%A4%A')).status).toBe(400);
  });

  it('trusts only our own top frame', () => {
    expect(isTrustedSender({ url: 'app://pursuit-lab/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://pursuit-lab/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/x.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'about:blank', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    const dev = devServerOrigin('http://localhost:5173/');
    expect(isTrustedSender({ url: 'http://localhost:5173/index.html', parent: null }, dev)).toBe(true);
    expect(devServerOrigin('https://cdn.example/app')).toBeUndefined();
    expect(devServerOrigin(undefined)).toBeUndefined();
  });
});
