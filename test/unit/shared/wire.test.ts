import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, decodeFrames, encodeFrames, fromWire, toWire } from '../../../src/shared/wire';

describe('wire encoding', () => {
  it('base64 matches Node for every remainder length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const b64 = bytesToBase64(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect(Array.from(base64ToBytes(b64))).toEqual(Array.from(bytes));
    }
  });

  it('carries Uint8Array values inside JSON', () => {
    const value = { fileName: 'a.json', bytes: new Uint8Array([1, 2, 250]), nested: [{ x: 1 }] };
    const back = fromWire(toWire(value)) as typeof value;
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.bytes)).toEqual([1, 2, 250]);
    expect(back.nested).toEqual([{ x: 1 }]);
  });

  it('refuses characters outside the base64 alphabet', () => {
    expect(() => base64ToBytes('ab$d')).toThrow(/invalid base64/);
  });
});

describe('binary frames', () => {
  it('round-trips values with bytes, which come back as views without base64', () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const value = { fileName: 'ü.onnx', bytes, nested: { architecture: new Uint8Array([9]) }, n: 3 };
    const body = Buffer.concat(encodeFrames(value));
    expect(body.includes(Buffer.from('AQID'))).toBe(false); // not base64
    expect(decodeFrames(new Uint8Array(body))).toEqual(value);
  });

  it('refuses malformed frames with a SyntaxError', () => {
    const body = Buffer.concat(encodeFrames({ bytes: new Uint8Array(10) }));
    expect(() => decodeFrames(new Uint8Array(body.subarray(0, body.length - 1)))).toThrow(SyntaxError);
    expect(() => decodeFrames(new Uint8Array(Buffer.from('{"json": true}')))).toThrow(/no PLF1 header/);
    expect(() => decodeFrames(new Uint8Array(body), 2)).toThrow(/JSON part/);
  });
});
