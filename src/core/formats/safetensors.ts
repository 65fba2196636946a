import { ModelFormatError } from './errors';
import { float16ToNumber } from './float16';
import type { ModelFormat } from './format';
import { generatorFromStateDict, type NamedTensor } from './stateDict';

const FORMAT_ID = 'safetensors';
/** The header is JSON; 100 MB caps it far above any real model's (a few KB) so a hostile length cannot exhaust memory. */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;
const MAX_TENSOR_ELEMENTS = 2 ** 28;

const BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

function fail(message: string): never {
  throw new ModelFormatError(FORMAT_ID, `Not a valid safetensors file: ${message}`);
}

function headerLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 10) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  return high === 0 ? low : undefined;
}

const bf16 = new DataView(new ArrayBuffer(4));

function readFloat(view: DataView, dtype: string, offset: number): number {
  switch (dtype) {
    case 'F64':
      return view.getFloat64(offset, true);
    case 'F32':
      return view.getFloat32(offset, true);
    case 'F16':
      return float16ToNumber(view.getUint16(offset, true));
    case 'BF16':
      // bfloat16 is the upper half of a float32.
      bf16.setUint16(0, view.getUint16(offset, true));
      return bf16.getFloat32(0);
    case 'I64':
      return Number(view.getBigInt64(offset, true));
    default:
      return Number.NaN;
  }
}

/** Decodes every tensor of a safetensors file (header and bounds checked before any data is read). */
export function readSafetensors(bytes: Uint8Array): Map<string, NamedTensor> {
  const n = headerLength(bytes);
  if (n === undefined) fail('the first 8 bytes are not a header length');
  if (n! > MAX_SAFETENSORS_HEADER) fail(`the header claims ${n} bytes, over the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  if (8 + n! > bytes.length)
    fail(`the header claims ${n} bytes but the file has only ${bytes.length - 8} after the length`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n!)));
  } catch (e) {
    fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n!;
  const dataLength = bytes.length - dataStart;
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataLength);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `tensor "${name}"`;
    if (typeof t !== 'object' || t === null) fail(`${where} has no description`);
    if (typeof t.dtype !== 'string' || BYTES[t.dtype] === undefined)
      fail(`${where} has unknown dtype ${JSON.stringify(t.dtype)}`);
    const dtype = t.dtype as string;
    if (!Array.isArray(t.shape) || t.shape.some((d) => !(Number.isInteger(d) && d >= 0)))
      fail(`${where} has an invalid shape`);
    const shape = t.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    if (size > MAX_TENSOR_ELEMENTS) fail(`${where} has ${size} elements, over the limit`);
    if (
      !Array.isArray(t.data_offsets) ||
      t.data_offsets.length !== 2 ||
      t.data_offsets.some((d) => !Number.isInteger(d))
    )
      fail(`${where} has invalid data_offsets`);
    const [begin, end] = t.data_offsets as [number, number];
    if (!(begin >= 0 && end >= begin && end <= dataLength))
      fail(`${where} spans bytes ${begin}–${end}, outside the ${dataLength} data bytes`);
    if (end - begin !== size * BYTES[dtype])
      fail(`${where} holds ${end - begin} bytes but its shape and dtype need ${size * BYTES[dtype]}`);
    if (!['F64', 'F32', 'F16', 'BF16', 'I64'].includes(dtype))
      fail(`${where} has dtype ${dtype}; weights must be floating point`);
    const data = new Float64Array(size);
    for (let i = 0; i < size; i++) data[i] = readFloat(view, dtype, begin + i * BYTES[dtype]);
    tensors.set(name, { shape, data });
  }
  return tensors;
}

export const safetensorsFormat: ModelFormat = {
  id: FORMAT_ID,
  label: 'safetensors',
  extensions: ['.safetensors'],
  match(bytes) {
    const n = headerLength(bytes);
    return n !== undefined && n > 1 && bytes[8] === 0x7b;
  },
  open(bytes, fallbackName, options) {
    return generatorFromStateDict(FORMAT_ID, readSafetensors(bytes), fallbackName, options);
  },
};
