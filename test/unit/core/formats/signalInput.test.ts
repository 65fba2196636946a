// Signal files for the project job: PNG (8/16-bit gray, RGB, RGBA, palette,
// 1-bit) and JPEG made here with the libraries' encoders, .npy and JSON;
// grayscale, resizing, value ranges, masks, and refusals that name the problem.
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  encodeGrayPng,
  readMaskImage,
  readSignalInput,
  resizeGray,
  signalFormat,
  SignalInputError,
} from '../../../../src/core/formats/signalInput';

const tanh = { kind: 'tanh' } as const;

/** A .npy file (version 1) of a little-endian float64 or float32 array. */
function npy(shape: number[], values: number[], dtype: '<f8' | '<f4' = '<f8'): Uint8Array {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const width = dtype === '<f8' ? 8 : 4;
  const bytes = new Uint8Array(10 + header.length + width * values.length);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 10);
  const view = new DataView(bytes.buffer, 10 + header.length);
  values.forEach((v, i) => (width === 8 ? view.setFloat64(8 * i, v, true) : view.setFloat32(4 * i, v, true)));
  return bytes;
}

const gray8 = (w: number, h: number, f: (i: number) => number) =>
  encodePng({ width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => f(i)), channels: 1, depth: 8 });

describe('signal files', () => {
  it('tells formats by their first bytes', () => {
    expect(signalFormat(gray8(2, 2, () => 0))).toBe('png');
    expect(signalFormat(new Uint8Array(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256) }).data))).toBe(
      'jpeg',
    );
    expect(signalFormat(npy([2], [1, 2]))).toBe('npy');
    expect(signalFormat(new TextEncoder().encode('\n [1, 2]'))).toBe('json');
    expect(signalFormat(new TextEncoder().encode('{"a": 1}'))).toBeUndefined();
  });

  it('maps an 8-bit gray PNG of the model’s size linearly onto [−1, 1], recording what it did', () => {
    const input = readSignalInput(
      gray8(4, 4, (i) => i * 17),
      'digit.png',
      { n: 16, output: tanh },
    );
    expect(input.format).toBe('png');
    expect(input.signals).toHaveLength(1);
    expect(input.signals[0][0]).toBe(-1);
    expect(input.signals[0][15]).toBe(1);
    expect(input.signals[0][5]).toBeCloseTo(-1 + (2 * 85) / 255, 15);
    expect(input.image).toMatchObject({
      width: 4,
      height: 4,
      color: 'gray',
      bitDepth: 8,
      resize: { from: [4, 4], to: [4, 4], method: 'none' },
    });
    expect(input.range).toMatchObject({ lo: -1, hi: 1 });
  });

  it('defaults to [0, 1] for a sigmoid output and takes --range LO,HI, refusing it for arrays', () => {
    const png = gray8(2, 2, (i) => [0, 51, 204, 255][i]);
    const sig = readSignalInput(png, 'a.png', { n: 4, output: { kind: 'sigmoid' } });
    expect(sig.signals[0]).toEqual([0, 0.2, 0.8, 1]);
    expect(sig.range?.reason).toMatch(/sigmoid/);
    const given = readSignalInput(png, 'a.png', { n: 4, output: tanh, range: [-0.5, 0.5] });
    expect(given.signals[0][0]).toBe(-0.5);
    expect(given.signals[0][3]).toBe(0.5);
    expect(given.range?.reason).toMatch(/given/);
    expect(readSignalInput(png, 'a.png', { n: 4, output: { kind: 'identity' } }).range?.reason).toMatch(/identity/);
    expect(() => readSignalInput(npy([4], [0, 0, 0, 0]), 'y.npy', { n: 4, output: tanh, range: [0, 1] })).toThrow(
      /--range maps image pixels/,
    );
  });

  it('reads RGB and RGBA (BT.601 luma, alpha over black), 16-bit, 1-bit and palette PNGs', () => {
    const rgb = encodePng({ width: 1, height: 1, data: Uint8Array.from([255, 0, 0]), channels: 3, depth: 8 });
    expect(readSignalInput(rgb, 'r.png', { n: 1, output: { kind: 'sigmoid' } }).signals[0][0]).toBeCloseTo(0.299, 12);
    const rgba = encodePng({
      width: 1,
      height: 1,
      data: Uint8Array.from([0, 255, 0, 51]),
      channels: 4,
      depth: 8,
    });
    const a = readSignalInput(rgba, 'g.png', { n: 1, output: { kind: 'sigmoid' } });
    expect(a.signals[0][0]).toBeCloseTo(0.587 * 0.2, 12);
    expect(a.image?.color).toBe('rgba');
    expect(a.image?.grayscale).toMatch(/BT\.601.*alpha composited on black/);
    const deep = encodePng({ width: 2, height: 1, data: Uint16Array.from([0, 65535]), channels: 1, depth: 16 });
    const d = readSignalInput(deep, 'd.png', { n: 1, output: tanh });
    expect(d.image?.bitDepth).toBe(16);
    // 2×1 → 1×1 by area averaging: the mean of black and white.
    expect(d.signals[0][0]).toBeCloseTo(0, 12);
    expect(d.image?.resize.method).toBe('area-average');
    // 1-bit gray, 3 pixels a row (the row padded to a byte): 1 0 1 / 0 1 0 / 1 0 1.
    const bits = encodePng({
      width: 3,
      height: 3,
      data: Uint8Array.from([0b10100000, 0b01000000, 0b10100000]),
      channels: 1,
      depth: 1,
    });
    expect(readSignalInput(bits, 'b.png', { n: 9, output: { kind: 'sigmoid' } }).signals[0]).toEqual([
      1, 0, 1, 0, 1, 0, 1, 0, 1,
    ]);
    const palette = encodePng({
      width: 2,
      height: 1,
      data: Uint8Array.from([1, 0]),
      channels: 1,
      depth: 8,
      palette: [
        [0, 0, 255],
        [255, 255, 255],
      ],
    });
    const p = readSignalInput(palette, 'p.png', { n: 4, output: { kind: 'sigmoid' } });
    expect(p.image?.color).toBe('palette');
    // 2×1 → 2×2 bilinear: the white left column, the blue (luma 0.114) right one.
    expect(p.signals[0][0]).toBeCloseTo(1, 12);
    expect(p.signals[0][3]).toBeCloseTo(0.114, 12);
  });

  it('reads a JPEG (8-bit, lossy: within a few gray levels)', () => {
    const data = new Uint8Array(16 * 16 * 4);
    for (let p = 0; p < 256; p++) data.set([128, 128, 128, 255], 4 * p);
    const bytes = new Uint8Array(jpeg.encode({ width: 16, height: 16, data }, 95).data);
    const input = readSignalInput(bytes, 'x.jpg', { n: 64, output: tanh });
    expect(input.format).toBe('jpeg');
    expect(input.image).toMatchObject({ width: 16, height: 16, resize: { method: 'area-average', to: [8, 8] } });
    for (const v of input.signals[0]) expect(Math.abs(v - (2 * 128) / 255 + 1)).toBeLessThan(0.02);
  });

  it('resizes by area averaging down and bilinear interpolation up, keeping constants constant', () => {
    const img = { width: 4, height: 4, data: Float64Array.from({ length: 16 }, (_, i) => (i % 4 < 2 ? 0 : 1)) };
    expect(Array.from(resizeGray(img, 2).data)).toEqual([0, 1, 0, 1]);
    // 4 → 3: the middle column straddles both halves equally.
    expect(resizeGray(img, 3).data[1]).toBeCloseTo(0.5, 12);
    const up = resizeGray({ width: 2, height: 2, data: Float64Array.from([0, 1, 0, 1]) }, 4);
    expect(up.method).toBe('bilinear');
    expect(Array.from(up.data.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
    const flat = resizeGray({ width: 3, height: 7, data: new Float64Array(21).fill(0.3) }, 5);
    for (const v of flat.data) expect(v).toBeCloseTo(0.3, 12);
  });

  it('reads .npy of shape [n] and [count, n] and JSON lists, as given', () => {
    expect(readSignalInput(npy([3], [0.5, -0.25, 1]), 'y.npy', { n: 3, output: tanh })).toMatchObject({
      format: 'npy',
      signals: [[0.5, -0.25, 1]],
      shape: [3],
    });
    const two = readSignalInput(npy([2, 2], [1, 2, 3, 4], '<f4'), 'y.npy', { n: 2, output: tanh });
    expect(two.signals).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const text = (s: string) => new TextEncoder().encode(s);
    expect(readSignalInput(text('[0.1, 0.2]'), 'y.json', { n: 2, output: tanh }).signals).toEqual([[0.1, 0.2]]);
    expect(readSignalInput(text('[[1, 2], [3, 4]]'), 'y.json', { n: 2, output: tanh }).shape).toEqual([2, 2]);
  });

  it('refuses with a message naming the file and the problem', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    const read =
      (bytes: Uint8Array, n = 4) =>
      () =>
        readSignalInput(bytes, 'in.x', { n, output: tanh });
    expect(read(npy([3], [1, 2, 3]))).toThrow(SignalInputError);
    expect(read(npy([3], [1, 2, 3]))).toThrow(/^in\.x: the array has shape \[3\], but the model's output has n = 4/);
    expect(read(npy([2, 2, 1], [1, 2, 3, 4]))).toThrow(/holds \[n\] or \[count, n\]/);
    expect(read(npy([4], [1, Number.NaN, 3, 4]))).toThrow(/signal 0, value 1 is NaN/);
    expect(read(text('[1, 2, 3]'))).toThrow(/signal 0 has 3 values, but the model's output has n = 4/);
    expect(read(text('[[1, 2, 3, 4], [1]]'))).toThrow(/signal 1 has 1 values/);
    expect(read(text('[1, "a"]'))).toThrow(/a list of n numbers/);
    expect(read(text('[1, 2'))).toThrow(/not valid JSON/);
    expect(read(text('hello'))).toThrow(/not a PNG, JPEG, \.npy or JSON/);
    expect(
      read(
        gray8(2, 2, () => 0),
        6,
      ),
    ).toThrow(/square image, but its output has n = 6/);
    const broken = gray8(4, 4, () => 9).slice(0, 40);
    expect(read(broken, 16)).toThrow(/in\.x: not a readable PNG/);
    // A PNG header claiming 100 000 × 100 000 pixels is refused before anything is inflated.
    const huge = gray8(1, 1, () => 0);
    new DataView(huge.buffer).setUint32(16, 100_000);
    new DataView(huge.buffer).setUint32(20, 100_000);
    expect(read(huge, 16)).toThrow(/over the limit of 64M pixels/);
  });

  it('reads a mask image (black = hidden) at the model’s size or the input image’s, and refuses others', () => {
    // 4 × 4, top row black: hidden pixels 0–3.
    const mask = gray8(4, 4, (i) => (i < 4 ? 0 : 255));
    const m = readMaskImage(mask, 'mask.png', 16);
    expect(m.hidden).toEqual([0, 1, 2, 3]);
    expect(m.record).toMatchObject({ hidden: 4, resize: { method: 'none' } });
    // 8 × 8 (the input image's size) resized to 4 × 4: the top two rows black become the top row.
    const big = gray8(8, 8, (i) => (i < 16 ? 0 : 255));
    expect(readMaskImage(big, 'mask.png', 16, [8, 8]).hidden).toEqual([0, 1, 2, 3]);
    expect(() => readMaskImage(big, 'mask.png', 16)).toThrow(/the mask is 8×8, but it must be 4×4/);
    expect(() =>
      readMaskImage(
        gray8(4, 4, () => 0),
        'mask.png',
        16,
      ),
    ).toThrow(/hides every pixel/);
    expect(() => readMaskImage(mask, 'mask.png', 15)).toThrow(/square model output/);
  });

  it('writes a square signal as a 16-bit PNG that reads back as itself (to 1/65535 of the range)', () => {
    const values = Array.from({ length: 9 }, (_, i) => Math.tanh(i - 4));
    const png = encodeGrayPng(values, { lo: -1, hi: 1 });
    const back = readSignalInput(png, 'g.png', { n: 9, output: tanh });
    expect(back.image).toMatchObject({ bitDepth: 16, color: 'gray', width: 3, height: 3 });
    back.signals[0].forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThanOrEqual(1 / 65535));
    // Out of the range: clamped.
    expect(
      readSignalInput(encodeGrayPng([5, -5, 0, 0], { lo: 0, hi: 1 }), 'c.png', {
        n: 4,
        output: tanh,
        range: [0, 1],
      }).signals[0].slice(0, 2),
    ).toEqual([1, 0]);
    expect(() => encodeGrayPng([1, 2, 3], { lo: 0, hi: 1 })).toThrow(/square image/);
  });
});
