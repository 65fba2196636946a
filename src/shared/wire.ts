/**
 * JSON with binary: the HTTP bridge carries Uint8Array values as
 * `{ "$bytes": "<base64>" }`. Electron IPC uses structured clone and needs none of this.
 */
const BYTES_KEY = '$bytes';

export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { [BYTES_KEY]: bytesToBase64(v) } : v));
}

export function fromWire(text: string): unknown {
  // Without bytes there is nothing to revive: a plain parse, far faster on a large result (a reviver runs per value).
  if (!text.includes(`"${BYTES_KEY}"`)) return JSON.parse(text) as unknown;
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const b64 = (v as Record<string, unknown>)[BYTES_KEY];
      if (keys.length === 1 && typeof b64 === 'string') return base64ToBytes(b64);
    }
    return v;
  });
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 with padding (RFC 4648 §4). */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, bytes.length);
    let s = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i];
      const b = i + 1 < end ? bytes[i + 1] : 0;
      const c = i + 2 < end ? bytes[i + 2] : 0;
      const n = (a << 16) | (b << 8) | c;
      s += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
      s += i + 1 < end ? ALPHABET[(n >> 6) & 63] : '=';
      s += i + 2 < end ? ALPHABET[n & 63] : '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Decodes standard base64; throws on characters outside the alphabet. */
export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? LOOKUP[code] : -1;
    if (v < 0) throw new SyntaxError(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/**
 * Binary framing for calls that carry bytes (a model file): the bridge reads
 * the body as binary and never turns it into a string, so a 500 MB model is
 * neither base64-inflated nor limited by the engine's longest string.
 *
 *   "PLF1" | u32 jsonLength | u32 blobCount | u32 blobLength × blobCount | JSON | blobs…
 *
 * (little-endian). The JSON is the value with each Uint8Array replaced by
 * `{"$blob": index}`. Decoded blobs are views into the body (no copy).
 */
export const FRAMES_CONTENT_TYPE = 'application/vnd.pursuit-lab.frames';

const MAGIC = [0x50, 0x4c, 0x46, 0x31];
const BLOB_KEY = '$blob';

// Every runtime the wire runs in (browsers, Node) has these; declared locally because
// shared compiles against plain ES2022.
declare const TextEncoder: { new (): { encode(text: string): Uint8Array } };
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean }): { decode(b: Uint8Array): string } };

/** The frames of `value`, as parts to send one after another (a Blob, a stream) without joining them. */
export function encodeFrames(value: unknown): Uint8Array[] {
  const blobs: Uint8Array[] = [];
  const text = JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      blobs.push(v);
      return { [BLOB_KEY]: blobs.length - 1 };
    }
    return v;
  });
  const json = new TextEncoder().encode(text);
  const head = new Uint8Array(12 + 4 * blobs.length);
  const view = new DataView(head.buffer);
  head.set(MAGIC);
  view.setUint32(4, json.length, true);
  view.setUint32(8, blobs.length, true);
  blobs.forEach((b, i) => view.setUint32(12 + 4 * i, b.length, true));
  return [head, json, ...blobs];
}

/**
 * Decodes a framed body. `maxJson` bounds the one part that becomes a string.
 * @throws SyntaxError naming what is malformed.
 */
export function decodeFrames(body: Uint8Array, maxJson = 1024 * 1024): unknown {
  const fail = (why: string): never => {
    throw new SyntaxError(`malformed framed body: ${why}`);
  };
  if (body.length < 12 || MAGIC.some((m, i) => body[i] !== m)) fail('no PLF1 header');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const jsonLength = view.getUint32(4, true);
  const count = view.getUint32(8, true);
  if (jsonLength > maxJson) fail(`its JSON part is ${jsonLength} bytes, over ${maxJson}`);
  if (12 + 4 * count > body.length) fail(`${count} blobs declared in a ${body.length}-byte body`);
  const lengths: number[] = [];
  let total = 12 + 4 * count + jsonLength;
  for (let i = 0; i < count; i++) {
    lengths.push(view.getUint32(12 + 4 * i, true));
    total += lengths[i];
  }
  if (total !== body.length) fail(`the parts add up to ${total} bytes, the body has ${body.length}`);
  let offset = 12 + 4 * count;
  const text = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(offset, offset + jsonLength));
  offset += jsonLength;
  const blobs = lengths.map((length) => {
    const blob = body.subarray(offset, offset + length);
    offset += length;
    return blob;
  });
  // Without blobs there is nothing to revive: a plain parse, far faster on a large result (the reviver runs per value).
  if (blobs.length === 0) return JSON.parse(text) as unknown;
  // Without blobs there is nothing to revive: a plain parse, far faster on a large result (a reviver runs per value).
  if (blobs.length === 0) return JSON.parse(text) as unknown;
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const index = (v as Record<string, unknown>)[BLOB_KEY];
      if (Object.keys(v).length === 1 && typeof index === 'number') {
        if (!(Number.isInteger(index) && index >= 0 && index < blobs.length)) fail(`no blob ${index}`);
        return blobs[index];
      }
    }
    return v;
  });
}
