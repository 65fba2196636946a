import { unzipSync } from 'fflate';
import { ModelFormatError } from './errors';
import { float16ToNumber } from './float16';
import type { ModelFormat } from './format';
import { generatorFromStateDict, type NamedTensor } from './stateDict';

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

/**
 * One .npy array: magic, version, a Python-dict header
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }), then the data.
 * float16/32/64 and int64, either byte order; Fortran order is transposed into
 * row-major for 1-D and 2-D arrays and refused above that.
 */
export function readNpy(bytes: Uint8Array, where: string): NamedTensor {
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
  const littleEndian = order !== '>';
  if (!((kind === 'f' && [2, 4, 8].includes(width)) || (kind === 'i' && width === 8))) {
    fail(`${where} has dtype ${order}${kind}${width}; weights must be float16, float32 or float64`);
  }
  const shape = shapeText![1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !(Number.isInteger(d) && d >= 0))) fail(`${where} has an invalid shape (${shapeText![1]})`);
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (bytes.length - dataStart !== size * width)
    fail(`${where} holds ${bytes.length - dataStart} data bytes but its shape needs ${size * width}`);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const o = dataStart + i * width;
    data[i] =
      kind === 'i'
        ? Number(view.getBigInt64(o, littleEndian))
        : width === 8
          ? view.getFloat64(o, littleEndian)
          : width === 4
            ? view.getFloat32(o, littleEndian)
            : float16ToNumber(view.getUint16(o, littleEndian));
  }
  if (fortran![1] === 'True' && shape.length > 1) {
    if (shape.length > 2)
      fail(`${where} is a ${shape.length}-D array in Fortran order; only 1-D and 2-D Fortran arrays are read`);
    const [rows, cols] = shape;
    const rowMajor = new Float64Array(size);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) rowMajor[i * cols + j] = data[j * rows + i];
    return { shape, data: rowMajor };
  }
  return { shape, data };
}

/** Every array of an npz (a zip of .npy files), named without the .npy suffix. */
export function readNpz(bytes: Uint8Array): Map<string, NamedTensor> {
  let total = 0;
  const limit = Math.min(MAX_NPZ_UNCOMPRESSED, MAX_DEFLATE_RATIO * bytes.length + 1024 * 1024);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(file) {
        if (!file.name.endsWith('.npy')) return false;
        total += file.originalSize;
        if (!(total <= limit))
          throw new RangeError(
            `the arrays claim to inflate to ${total} bytes, more than this ${bytes.length}-byte archive can hold`,
          );
        return true;
      },
    });
  } catch (e) {
    fail(`the zip archive cannot be read (${(e as Error).message})`);
  }
  const tensors = new Map<string, NamedTensor>();
  for (const [name, data] of Object.entries(files!))
    tensors.set(name.replace(/\.npy$/, ''), readNpy(data, `array "${name}"`));
  if (tensors.size === 0) fail('the archive holds no .npy arrays');
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
    return generatorFromStateDict(FORMAT_ID, readNpz(bytes), fallbackName, options);
  },
};
