import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/main/services/modelStore';
import { readFixture, repoPath } from '../helpers/fixtures';
import { createTestHost } from '../helpers/host';

let host = createTestHost();
afterEach(() => {
  host.dispose();
  host = createTestHost();
});

describe('model store', () => {
  it('stores an import as source, model.json and summary.json, once per content', async () => {
    const bytes = readFixture('json-models/tiny-tanh.json');
    const first = await host.store.import('tiny-tanh.json', bytes);
    const again = await host.store.import('renamed.json', bytes);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, info: { id: first.info.id } });
    const dir = join(host.workspace, 'models', first.info.id);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'source.json', 'summary.json']);
    expect(new Uint8Array(readFileSync(join(dir, 'source.json')))).toEqual(bytes);
    // A fresh store over the same workspace sees it (nothing held only in memory).
    const reopened = new ModelStore({ workspace: host.workspace, bundledDir: repoPath('resources/models') });
    expect((await reopened.list()).map((m) => m.id)).toContain(first.info.id);
  });

  it('writes nothing for a file it cannot read', async () => {
    await expect(host.store.import('bad.json', readFixture('json-models/null-weight.json'))).rejects.toThrow(
      'layers[0].W[1][1]',
    );
    expect(existsSync(join(host.workspace, 'models'))).toBe(false);
  });

  it('records an image shape given at import in model.json and the summary, and refuses a wrong one', async () => {
    // tanh_plain: 3 → 10 → 16.
    const bytes = readFixture('pytorch/tanh_plain.opset17.onnx');
    await expect(host.store.import('m.onnx', bytes, { imageShape: [3, 5] })).rejects.toThrow(
      "imageShape [3, 5] is 3 × 5 = 15 pixels, but the model's output has n = 16 values",
    );
    expect(existsSync(join(host.workspace, 'models'))).toBe(false);
    const { info } = await host.store.import('m.onnx', bytes, { imageShape: [2, 8] });
    expect(info.summary.imageShape).toEqual([2, 8]);
    const dir = join(host.workspace, 'models', info.id);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).imageShape).toEqual([2, 8]);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).summary.imageShape).toEqual([2, 8]);
  });

  it('skips a damaged workspace entry instead of failing the whole list', async () => {
    const { info } = await host.store.import('tiny-tanh.json', readFixture('json-models/tiny-tanh.json'));
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(host.workspace, 'models', 'ffffffffffffffff'), { recursive: true });
    writeFileSync(join(host.workspace, 'models', 'ffffffffffffffff', 'summary.json'), '{ torn');
    const ids = (await host.store.list()).map((m) => m.id);
    expect(ids).toContain(info.id);
    expect(ids).not.toContain('ffffffffffffffff');
  });
});
