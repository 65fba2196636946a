import { describe, expect, it } from 'vitest';
import { decodeFramesBlob } from '../../../src/renderer/src/api/bridgeClient';
import { encodeFrames } from '../../../src/shared/wire';

describe('decodeFramesBlob (model bytes kept as a Blob, never read on the page)', () => {
  it('gives the JSON part back with each byte part as a Blob slice', async () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const decoded = (await decodeFramesBlob(
      new Blob(encodeFrames({ ok: true, value: { info: { id: 'a' }, bytes } }) as BlobPart[]),
    )) as { ok: boolean; value: { info: { id: string }; bytes: Blob } };
    expect(decoded.value.info).toEqual({ id: 'a' });
    expect(decoded.value.bytes).toBeInstanceOf(Blob);
    expect(new Uint8Array(await decoded.value.bytes.arrayBuffer())).toEqual(bytes);
  });

  it('refuses a body that is not framed, or whose parts do not add up', async () => {
    await expect(decodeFramesBlob(new Blob(['{"ok":true}']))).rejects.toThrow(/no PLF1 header/);
    const parts = encodeFrames({ b: new Uint8Array(10) });
    await expect(decodeFramesBlob(new Blob([...parts, new Uint8Array(3)] as BlobPart[]))).rejects.toThrow(/add up/);
  });
});
