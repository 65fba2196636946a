import { createHash } from 'node:crypto';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { readProjectInput } from '../../../src/workers/projectInput';

const png = (side: number, value: (i: number) => number) =>
  encodePng({
    width: side,
    height: side,
    channels: 1,
    depth: 8,
    data: Uint8Array.from({ length: side * side }, (_, i) => value(i)),
  });

describe('readProjectInput (the worker side of "your own image")', () => {
  it('decodes a PNG Blob into a project spec’s fields, with its SHA-256, the decode record and a preview', async () => {
    const bytes = png(4, (i) => (i % 2 ? 255 : 0));
    const answer = await readProjectInput({
      fileName: 'x.png',
      bytes: new Blob([bytes as BlobPart]),
      n: 16,
      output: { kind: 'tanh' },
    });
    if (!answer.ok) throw new Error(answer.error.message);
    const v = answer.value;
    expect(v.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(v.format).toBe('png');
    expect(v.count).toBe(1);
    expect(v.range).toMatchObject({ lo: -1, hi: 1 });
    expect(v.fields.signals).toEqual([Array.from({ length: 16 }, (_, i) => (i % 2 ? 1 : -1))]);
    expect(v.fields.input).toMatchObject({ file: 'x.png', sha256: v.sha256, format: 'png', image: { width: 4 } });
    // 8 bits: the quantisation threshold replaces the default 1e-3.
    expect(v.quantised?.value).toBeGreaterThan(1e-3);
    expect(v.fields.offRangeThreshold).toBe(v.quantised?.value);
    expect(v.preview?.side).toBe(4);
    expect([...v.preview!.gray]).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 ? 255 : 0)));
  });

  it('records a mask (black = hidden) and its hash', async () => {
    const mask = png(4, (i) => (i < 4 ? 0 : 255));
    const answer = await readProjectInput({
      fileName: 'x.png',
      bytes: png(4, () => 128),
      n: 16,
      output: { kind: 'tanh' },
      mask: { fileName: 'm.png', bytes: mask },
    });
    if (!answer.ok) throw new Error(answer.error.message);
    expect(answer.value.fields.hidden).toEqual([0, 1, 2, 3]);
    expect(answer.value.fields.mask).toMatchObject({
      file: 'm.png',
      sha256: createHash('sha256').update(mask).digest('hex'),
    });
    expect(answer.value.preview?.hidden).toEqual([0, 1, 2, 3]);
  });

  it('answers a file of the wrong size as data, naming the file', async () => {
    const answer = await readProjectInput({
      fileName: 'v.json',
      bytes: new TextEncoder().encode('[1, 2, 3]'),
      n: 16,
      output: { kind: 'tanh' },
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    if (!answer.ok) expect(answer.error.message).toMatch(/v\.json.*n = 16/);
  });
});
