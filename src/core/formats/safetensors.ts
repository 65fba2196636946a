import { checkBudget, checkCount, MAX_ENTRIES, type ReadLimits } from './budget';
import { guardReader, ModelFormatError } from './errors';
import { float16ToNumber } from './float16';
import type { ModelFormat } from './format';
import { parseJsonText } from './jsonText';
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

interface Entry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly size: number;
  readonly begin: number;
  readonly end: number;
}

/**
 * Decodes every tensor of a safetensors file. The header is checked whole
 * (dtypes, shapes, bounds, overlaps, the budget) before any data is read.
 */
export function readSafetensors(bytes: Uint8Array, limits: ReadLimits = {}): Map<string, NamedTensor> {
  const n = headerLength(bytes);
  if (n === undefined) fail('the first 8 bytes are not a header length');
  if (n! > MAX_SAFETENSORS_HEADER) fail(`the header claims ${n} bytes, over the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  if (8 + n! > bytes.length)
    fail(`the header claims ${n} bytes but the file has only ${bytes.length - 8} after the length`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n!));
  } catch {
    fail('the header is not UTF-8 text');
  }
  const header = parseJsonText(text!, FORMAT_ID, fail, 'the header', limits);
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n!;
  const dataLength = bytes.length - dataStart;
  const names = Object.keys(header as object);
  checkCount(FORMAT_ID, names.length, MAX_ENTRIES, 'tensors');
  const entries: Entry[] = [];
  let total = 0;
  for (const name of names) {
    if (name === '__metadata__') continue;
    const t = (header as Record<string, unknown>)[name] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
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
    entries.push({ name, dtype, shape, size, begin, end });
    total += size;
  }
  // The format requires disjoint byte ranges; overlapping ones would let a few bytes stand for many tensors.
  const byStart = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let k = 1; k < byStart.length; k++) {
    const [a, b] = [byStart[k - 1], byStart[k]];
    if (b.begin < a.end)
      fail(`tensors "${a.name}" (bytes ${a.begin}–${a.end}) and "${b.name}" (bytes ${b.begin}–${b.end}) overlap`);
  }
  // Each tensor is decoded to float64 once and copied once more when its layer is folded.
  checkBudget(FORMAT_ID, `its ${entries.length} tensors (decoded and folded)`, 16 * total, limits);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataLength);
  const tensors = new Map<string, NamedTensor>();
  for (const { name, dtype, shape, size, begin } of entries) {
    const data = new Float64Array(size);
    const width = BYTES[dtype];
    for (let i = 0; i < size; i++) data[i] = readFloat(view, dtype, begin + i * width);
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
    return guardReader(FORMAT_ID, 'Not a valid safetensors file', () =>
      generatorFromStateDict(FORMAT_ID, readSafetensors(bytes, options), fallbackName, options),
    );
  },
};
