import { Inflate } from 'fflate';

/**
 * One file of a zip archive as its central directory describes it, located
 * but not inflated: readers size everything from these entries first and
 * inflate only what their budget allows.
 */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  /** Bytes in the archive. */
  readonly compressedSize: number;
  /** Bytes once inflated, as declared (checked when inflated). */
  readonly size: number;
  /** Where the entry's data starts in the archive. */
  readonly dataStart: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The entries of a zip archive (ZIP64 included), from its central directory.
 * @param fail called with a one-line reason when the archive is malformed.
 */
export function zipEntries(bytes: Uint8Array, fail: (message: string) => never, maxEntries: number): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : fail('the archive is truncated'));
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, true) : fail('the archive is truncated'));
  const u64 = (at: number) => u32(at) + u32(at + 4) * 2 ** 32;
  // The end record is in the last 22 + 65,535 bytes (its comment is at most 65,535 bytes).
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('the zip archive has no end-of-directory record');
  let count = u16(end + 10);
  let offset = u32(end + 16);
  if ((count === 0xffff || offset === 0xffffffff) && end >= 20 && u32(end - 20) === ZIP64_LOCATOR) {
    const z64 = u64(end - 12);
    if (u32(z64) !== ZIP64_EOCD) fail('the ZIP64 end-of-directory record is missing');
    count = u64(z64 + 32);
    offset = u64(z64 + 48);
  }
  if (count > maxEntries) fail(`the archive has ${count} files, over the limit of ${maxEntries}`);
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let k = 0; k < count; k++) {
    if (u32(at) !== CENTRAL) fail(`the directory entry ${k} is damaged`);
    const method = u16(at + 10);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    if (at + 46 + nameLength > bytes.length) fail('the archive is truncated');
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // ZIP64: sizes and offset saturated at 0xffffffff are in extra field 0x0001, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      const id = u16(e);
      const length = u16(e + 2);
      if (id === 1) {
        let f = e + 4;
        if (size === 0xffffffff) {
          size = u64(f);
          f += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(f);
          f += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(f);
      }
      e += 4 + length;
    }
    if (u32(localOffset) !== LOCAL) fail(`the local header of "${name}" is damaged`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    if (dataStart + compressedSize > bytes.length) fail(`"${name}" runs past the end of the archive`);
    entries.push({ name, method, compressedSize, size, dataStart });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Inflates `data` a slice at a time, handing each output chunk to `sink`,
 * until the stream ends or `enough()` says to stop. A deflate stream can
 * expand 1032:1, so each 16 KB slice yields at most about 17 MB: the work
 * stops soon after the caller has what it needs or sees too much, however
 * much the stream would go on producing.
 */
function inflateSlices(data: Uint8Array, sink: (chunk: Uint8Array) => void, enough: () => boolean): void {
  const inflater = new Inflate((chunk) => sink(chunk));
  const SLICE = 16 * 1024;
  for (let at = 0; at < data.length && !enough(); at += SLICE) {
    inflater.push(data.subarray(at, Math.min(at + SLICE, data.length)), false);
  }
  if (!enough()) inflater.push(new Uint8Array(0), true);
}

/** The first `count` inflated bytes of an entry (fewer if it is shorter), inflating little more than they need. */
export function zipPeek(bytes: Uint8Array, entry: ZipEntry, count: number): Uint8Array {
  const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  if (entry.method !== 8) return data.subarray(0, count);
  const out = new Uint8Array(count);
  let have = 0;
  inflateSlices(
    data,
    (chunk) => {
      if (have < count) out.set(chunk.subarray(0, count - have), have);
      have += chunk.length;
    },
    () => have >= count,
  );
  return out.subarray(0, Math.min(have, count));
}

/** The whole entry, inflated into a buffer of its declared size; a stream longer than declared is refused as soon as it shows. */
export function zipRead(bytes: Uint8Array, entry: ZipEntry, fail: (message: string) => never): Uint8Array {
  const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  if (entry.method === 0) {
    if (data.length !== entry.size)
      fail(`"${entry.name}" is stored with ${data.length} bytes but declares ${entry.size}`);
    return data;
  }
  if (entry.method !== 8) fail(`"${entry.name}" is compressed with method ${entry.method}, not deflate`);
  const out = new Uint8Array(entry.size);
  let have = 0;
  try {
    inflateSlices(
      data,
      (chunk) => {
        if (have + chunk.length <= out.length) out.set(chunk, have);
        have += chunk.length;
      },
      () => have > out.length,
    );
  } catch (e) {
    return fail(`"${entry.name}" cannot be inflated (${(e as Error).message})`);
  }
  if (have > entry.size) fail(`"${entry.name}" inflates to more than the ${entry.size} bytes it declares`);
  if (have < entry.size) fail(`"${entry.name}" inflates to ${have} bytes but declares ${entry.size}`);
  return out;
}
