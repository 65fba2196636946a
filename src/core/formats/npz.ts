import { checkBudget, MAX_ENTRIES, type ReadLimits } from './budget';
import { guardReader, ModelFormatError } from './errors';
import { float16ToNumber } from './float16';
import type { ModelFormat } from './format';
import { generatorFromStateDict, type NamedTensor } from './stateDict';
import { zipEntries, zipPeek, zipRead, type ZipEntry } from './zip';

const FORMAT_ID = 'npz';
/** Uncompressed size of all arrays together: refused above 2 GiB before anything is inflated. */
export const MAX_NPZ_UNCOMPRESSED = 2 * 1024 * 1024 * 1024;
/**
 * Deflate cannot compress better than about 1032:1, so a declared size
 * beyond that ratio (plus 1 MiB of slack) is a lie — a zip bomb or a damaged
 * header — and is refused before any memory is reserved for it.
 */
const MAX_DEFLATE_RATIO = 1032;
const MAX_NPY_HEADER = 64 * 1024;

function fail(message: string): never {
  throw new ModelFormatError(FORMAT_ID, `Not a valid npz file: ${message}`);
}

/** What a .npy header says: how to read the data that follows it. */
interface NpyHeader {
  readonly shape: number[];
  readonly size: number;
  readonly kind: string;
  readonly width: number;
  readonly littleEndian: boolean;
  readonly fortran: boolean;
  /** Bytes before the data (magic, version, length, header). */
  readonly dataStart: number;
}

/**
 * Reads a .npy header: magic, version, a Python-dict header
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }).
 * @param bytes at least the header (the data may be absent: the budget is checked before it is inflated).
 * @param total the whole array's size in bytes, data included.
 */
function readNpyHeader(bytes: Uint8Array, total: number, where: string): NpyHeader {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 12 || magic.some((b, i) => bytes[i] !== b))
    fail(`${where} does not start with the .npy magic bytes`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : major === 2 || major === 3 ? view.getUint32(8, true) : -1;
  if (headerLen < 0) fail(`${where} has .npy version ${major}, not 1, 2 or 3`);
  const start = major === 1 ? 10 : 12;
  if (headerLen > MAX_NPY_HEADER || start + headerLen > bytes.length)
    fail(`${where} has a header of ${headerLen} bytes, past the end of the array`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([<>|=])([fiu])(\d+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeText)
    fail(`${where} has a header this reader does not understand: ${header.trim().slice(0, 80)}`);
  const [, order, kind, widthText] = descr!;
  const width = Number(widthText);
  if (!((kind === 'f' && [2, 4, 8].includes(width)) || (kind === 'i' && width === 8))) {
    fail(`${where} has dtype ${order}${kind}${width}; weights must be float16, float32 or float64`);
  }
  const shape = shapeText![1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !(Number.isInteger(d) && d >= 0))) fail(`${where} has an invalid shape (${shapeText![1]})`);
  const isFortran = fortran![1] === 'True' && shape.length > 1;
  if (isFortran && shape.length > 2)
    fail(`${where} is a ${shape.length}-D array in Fortran order; only 1-D and 2-D Fortran arrays are read`);
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (total - dataStart !== size * width)
    fail(`${where} holds ${total - dataStart} data bytes but its shape needs ${size * width}`);
  return { shape, size, kind, width, littleEndian: order !== '>', fortran: isFortran, dataStart };
}

/** Decodes the data after a header into row-major float64 (a 2-D Fortran array is transposed as it is read). */
function decodeNpy(bytes: Uint8Array, h: NpyHeader): NamedTensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { size, kind, width, littleEndian, dataStart } = h;
  const [rows, cols] = h.shape;
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const o = dataStart + i * width;
    // Element i of a Fortran array is (i mod rows, i div rows).
    const target = h.fortran ? (i % rows) * cols + Math.floor(i / rows) : i;
    data[target] =
      kind === 'i'
        ? Number(view.getBigInt64(o, littleEndian))
        : width === 8
          ? view.getFloat64(o, littleEndian)
          : width === 4
            ? view.getFloat32(o, littleEndian)
            : float16ToNumber(view.getUint16(o, littleEndian));
  }
  return { shape: h.shape, data };
}

/**
 * One .npy array: header, then the data. float16/32/64 and int64, either byte
 * order; Fortran order is transposed into row-major for 1-D and 2-D arrays and
 * refused above that.
 */
export function readNpy(bytes: Uint8Array, where: string): NamedTensor {
  return decodeNpy(bytes, readNpyHeader(bytes, bytes.length, where));
}

/**
 * Every array of an npz (a zip of .npy files), named without the .npy suffix.
 * Sized before anything is inflated: the zip directory gives each array's
 * byte count, the first bytes of each (inflated a slice at a time) its header,
 * and the total (the largest inflated array, every array as float64, and the
 * copy folding makes) is checked against the budget.
 */
export function readNpz(bytes: Uint8Array, limits: ReadLimits = {}): Map<string, NamedTensor> {
  const entries = zipEntries(bytes, fail, MAX_ENTRIES).filter((e) => e.name.endsWith('.npy'));
  if (entries.length === 0) fail('the archive holds no .npy arrays');
  const limit = Math.min(MAX_NPZ_UNCOMPRESSED, MAX_DEFLATE_RATIO * bytes.length + 1024 * 1024);
  let inflated = 0;
  let largest = 0;
  for (const e of entries) {
    inflated += e.size;
    largest = Math.max(largest, e.size);
    if (!(inflated <= limit))
      fail(`the arrays claim to inflate to ${inflated} bytes, more than this ${bytes.length}-byte archive can hold`);
    if (e.method === 8 && e.size > MAX_DEFLATE_RATIO * e.compressedSize + 1024)
      fail(`"${e.name}" claims ${e.size} bytes from ${e.compressedSize} compressed, beyond deflate's 1032:1`);
  }
  const headers = entries.map((e) => {
    const where = `array "${e.name}"`;
    const head = zipPeek(bytes, e, 12);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const length = head.length < 12 ? 0 : head[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
    return readNpyHeader(zipPeek(bytes, e, Math.min(length, 12 + MAX_NPY_HEADER)), e.size, where);
  });
  const numbers = headers.reduce((sum, h) => sum + h.size, 0);
  // One inflated array at a time, every array as float64, and the copy folding makes of each.
  checkBudget(FORMAT_ID, 'its arrays (inflated, decoded and folded)', largest + 16 * numbers, limits);
  const tensors = new Map<string, NamedTensor>();
  entries.forEach((e: ZipEntry, k) => {
    tensors.set(e.name.replace(/\.npy$/, ''), decodeNpy(zipRead(bytes, e, fail), headers[k]));
  });
  return tensors;
}

export const npzFormat: ModelFormat = {
  id: FORMAT_ID,
  label: 'NumPy npz',
  extensions: ['.npz'],
  match(bytes) {
    return bytes.length > 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  },
  open(bytes, fallbackName, options) {
    return guardReader(FORMAT_ID, 'Not a valid npz file', () =>
      generatorFromStateDict(FORMAT_ID, readNpz(bytes, options), fallbackName, options),
    );
  },
};
