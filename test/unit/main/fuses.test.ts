import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The fuse wire as Electron binaries carry it: a sentinel, the wire version (1), its length,
// then one byte per fuse ('0' off, '1' on), in @electron/fuses' FuseV1Options order.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ORDER = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
];

describe('scripts/fuses.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pursuit-fuses-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flips every configured fuse of a binary, by name, and leaves the others alone', async () => {
    const { flipFuses, FUSE_CONFIG } = await import('../../../scripts/fuses.mjs');
    const before = Buffer.concat([
      Buffer.from('\x7fELF fake executable '),
      Buffer.from(SENTINEL),
      Buffer.from([1, ORDER.length]),
      Buffer.from('1'.repeat(ORDER.length)),
      Buffer.from(' tail'),
    ]);
    const binary = join(dir, 'electron');
    writeFileSync(binary, before);
    await flipFuses(binary);
    const after = readFileSync(binary);
    const wire = after.subarray(after.indexOf(SENTINEL) + SENTINEL.length + 2).subarray(0, ORDER.length);
    ORDER.forEach((name, i) => {
      const wanted = FUSE_CONFIG[name];
      expect(String.fromCharCode(wire[i]), name).toBe(wanted === undefined ? '1' : wanted ? '1' : '0');
    });
    expect(FUSE_CONFIG.RunAsNode).toBe(false);
    expect(FUSE_CONFIG.EnableNodeOptionsEnvironmentVariable).toBe(false);
    expect(after.length).toBe(before.length);
  });
});
