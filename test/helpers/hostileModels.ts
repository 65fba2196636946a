/**
 * Small hostile model files, built in memory for the reader tests and the fuzz
 * corpus (issue 9): long node chains, many tensors, huge declared sizes,
 * bombs within the deflate-ratio check. Nothing here is committed as a binary.
 */

/* ------------------------------ protobuf (ONNX) ------------------------------ */

/** A minimal protobuf writer: enough of the wire format to build ONNX graphs by hand. */
class Pb {
  private readonly parts: number[] = [];
  varint(field: number, value: number): this {
    this.key(field, 0);
    this.raw(value);
    return this;
  }
  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.raw(data.length);
    for (const b of data) this.parts.push(b);
    return this;
  }
  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }
  message(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  float(field: number, value: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    for (const x of b) this.parts.push(x);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
  private key(field: number, wire: number) {
    this.raw(field * 8 + wire);
  }
  private raw(value: number) {
    let v = value;
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
  }
}

/** A float32 initializer (TensorProto: dims 1, data_type 2, name 8, raw_data 9). */
function initializer(name: string, dims: number[], values?: ArrayLike<number>): Pb {
  const t = new Pb();
  for (const d of dims) t.varint(1, d);
  t.varint(2, 1).string(8, name);
  if (values !== undefined) {
    const raw = new Uint8Array(4 * values.length);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
    t.bytes(9, raw);
  }
  return t;
}

function node(op: string, inputs: string[], outputs: string[], name: string): Pb {
  const n = new Pb();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  return n.string(3, name).string(4, op);
}

function valueInfo(name: string, width: number): Pb {
  const dim = (v: number) => new Pb().varint(1, v);
  const shape = new Pb().message(1, dim(1)).message(1, dim(width));
  const tensorType = new Pb().varint(1, 1).message(2, shape);
  return new Pb().string(1, name).message(2, new Pb().message(1, tensorType));
}

function onnxModel(graph: Pb): Uint8Array {
  return new Pb().varint(1, 8).message(8, new Pb().string(1, '').varint(2, 13)).message(7, graph).finish();
}

/**
 * z (2) → Gemm → Relu → Gemm (3 → 2) → `chain` nodes of `op` → x: a valid
 * generator when `op` is Identity (the chain is the identity), the shape of the
 * issue's 258 KB file with 10,000 Identity nodes.
 */
export function onnxChain(chain: number, op = 'Identity', W0 = [1, -1, 0.5, 2, -1, 0]): Uint8Array {
  const g = new Pb().string(2, 'chain');
  g.message(5, initializer('W0', [3, 2], W0));
  g.message(5, initializer('b0', [3], [0, -1, 0.25]));
  g.message(5, initializer('W1', [2, 3], [1, 0, 2, 0, -1, 1]));
  g.message(5, initializer('b1', [2], [0.1, -0.2]));
  g.message(5, initializer('zero', [], [0]));
  const gemm = (inp: string, w: string, b: string, out: string, name: string) =>
    node('Gemm', [inp, w, b], [out], name).message(5, new Pb().string(1, 'transB').varint(3, 1).varint(20, 2));
  g.message(1, gemm('z', 'W0', 'b0', 'h0', 'gemm0'));
  g.message(1, node('Relu', ['h0'], ['r0'], 'relu0'));
  g.message(1, gemm('r0', 'W1', 'b1', 't0', 'gemm1'));
  for (let k = 0; k < chain; k++) {
    const inputs = op === 'Add' ? [`t${k}`, 'zero'] : [`t${k}`];
    g.message(1, node(op, inputs, [k === chain - 1 ? 'x' : `t${k + 1}`], `n${k}`));
  }
  if (chain === 0) g.message(1, node('Identity', ['t0'], ['x'], 'out'));
  g.message(11, valueInfo('z', 2));
  g.message(12, valueInfo('x', 2));
  return onnxModel(g);
}

/**
 * Not hostile: z (2) → Gemm(W, b; transB, alpha) → Relu → Gemm(V; transB = 1) → x (2), for the
 * reader's weight layouts. `w` is B as stored: 3 × 2 (the layer's W) with transB, else 2 × 3 (Wᵀ).
 */
export function onnxGemmLayout(transB: boolean, alpha: number, w: number[]): Uint8Array {
  const g = new Pb().string(2, 'layout');
  g.message(5, initializer('W0', transB ? [3, 2] : [2, 3], w));
  g.message(5, initializer('b0', [3], [0, -1, 0.25]));
  g.message(5, initializer('W1', [2, 3], [1, 0, 2, 0, -1, 1]));
  const attrs = new Pb()
    .string(1, 'transB')
    .varint(3, transB ? 1 : 0)
    .varint(20, 2);
  const gemm0 = node('Gemm', ['z', 'W0', 'b0'], ['h0'], 'gemm0').message(5, attrs);
  if (alpha !== 1) gemm0.message(5, new Pb().string(1, 'alpha').float(2, alpha).varint(20, 1));
  g.message(1, gemm0);
  g.message(1, node('Relu', ['h0'], ['r0'], 'relu0'));
  const transposed = new Pb().string(1, 'transB').varint(3, 1).varint(20, 2);
  g.message(1, node('Gemm', ['r0', 'W1'], ['x'], 'gemm1').message(5, transposed));
  g.message(11, valueInfo('z', 2));
  g.message(12, valueInfo('x', 2));
  return onnxModel(g);
}

/** A graph whose one initializer declares `dims` but holds no data: a huge declared size in a few bytes. */
export function onnxHugeInitializer(dims: number[]): Uint8Array {
  const g = new Pb().string(2, 'huge');
  g.message(5, initializer('W0', dims));
  g.message(1, node('Gemm', ['z', 'W0'], ['x'], 'gemm0'));
  g.message(11, valueInfo('z', 2));
  g.message(12, valueInfo('x', 2));
  return onnxModel(g);
}

/** One node whose input fans out to `count` Relu consumers (exercises the consumer index). */
export function onnxFanOut(count: number): Uint8Array {
  const g = new Pb().string(2, 'fan');
  g.message(5, initializer('W0', [3, 2], [1, -1, 0.5, 2, -1, 0]));
  g.message(1, node('MatMul', ['z', 'W0'], ['h'], 'mm'));
  for (let k = 0; k < count; k++) g.message(1, node('Relu', ['h'], [k === 0 ? 'x' : `r${k}`], `relu${k}`));
  g.message(11, valueInfo('z', 2));
  g.message(12, valueInfo('x', 2));
  return onnxModel(g);
}

/* -------------------------------- safetensors -------------------------------- */

/** A safetensors file from a header and a data section (F64 values written little-endian). */
export function safetensorsOf(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/**
 * `modules` Linear layers of width 1 (`k.weight` [1, 1], `k.bias` [1]), 2 tensors
 * each: the "40,000 tiny tensors" file. Every weight is 1, every bias 0.
 */
export function safetensorsManyTensors(modules: number): Uint8Array {
  const header: Record<string, unknown> = {};
  const data = new Uint8Array(16 * modules);
  const view = new DataView(data.buffer);
  for (let k = 0; k < modules; k++) {
    header[`${k}.weight`] = { dtype: 'F64', shape: [1, 1], data_offsets: [16 * k, 16 * k + 8] };
    header[`${k}.bias`] = { dtype: 'F64', shape: [1], data_offsets: [16 * k + 8, 16 * k + 16] };
    view.setFloat64(16 * k, 1, true);
  }
  return safetensorsOf(header, data);
}

/* ------------------------------------ npz ------------------------------------ */

/** A .npy header for `descr` and `shape`, padded as NumPy pads it. */
export function npyHeader(descr: string, shape: number[], fortran = false): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const text = dict.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(10 + text.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), 10);
  return out;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One zip entry: its name, the bytes as stored, the method (0 stored, 8 deflate), the declared sizes. */
export interface ZipEntry {
  name: string;
  stored: Uint8Array;
  method: 0 | 8;
  /** Uncompressed size written in the headers (a bomb may lie). */
  size: number;
  crc?: number;
}

/** A zip archive (local headers, central directory, end record) from entries, sizes as declared. */
export function zipOf(entries: ZipEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(14, e.crc ?? 0, true);
    lv.setUint32(18, e.stored.length, true);
    lv.setUint32(22, e.size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.method, true);
    cv.setUint32(16, e.crc ?? 0, true);
    cv.setUint32(20, e.stored.length, true);
    cv.setUint32(24, e.size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    chunks.push(local, e.stored);
    central.push(cd);
    offset += local.length + e.stored.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A stored (uncompressed) zip entry with a correct CRC. */
export function storedEntry(name: string, data: Uint8Array): ZipEntry {
  return { name, stored: data, method: 0, size: data.length, crc: crc32(data) };
}

/**
 * The bomb, without the 2 GB: one entry `weight.npy` whose headers
 * declare `rows × cols` values of `descr` (float16 by default), compressed
 * into about `compressedBytes` (within deflate's 1032:1 ratio). The deflate
 * stream is made of stored blocks: the real .npy header, then zeros up to
 * `compressedBytes`. A reader sees the dtype and shape from the first block;
 * one that inflated the entry before checking its budget would allocate the
 * declared size and then fail with a different message (the stream ends
 * long before it).
 */
export function npzBomb(rows: number, cols: number, compressedBytes: number, descr = '<f2'): Uint8Array {
  const header = npyHeader(descr, [rows, cols]);
  const width = Number(descr.slice(2));
  const blocks: Uint8Array[] = [];
  const block = (payload: Uint8Array, final: boolean) => {
    const b = new Uint8Array(5 + payload.length);
    b[0] = final ? 1 : 0; // BFINAL, BTYPE 00 (stored)
    new DataView(b.buffer).setUint16(1, payload.length, true);
    new DataView(b.buffer).setUint16(3, ~payload.length & 0xffff, true);
    b.set(payload, 5);
    return b;
  };
  blocks.push(block(header, false));
  let left = compressedBytes - blocks[0].length;
  while (left > 5) {
    const n = Math.min(0xffff, left - 5);
    left -= n + 5;
    blocks.push(block(new Uint8Array(n), left <= 5));
  }
  const stored = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    stored.set(b, at);
    at += b.length;
  }
  return zipOf([{ name: 'weight.npy', stored, method: 8, size: header.length + rows * cols * width }]);
}

/** A valid 1 → 1 → 1 Pursuit Lab JSON model with `fields` overriding its own, as bytes. */
export function jsonModel(fields: Record<string, unknown>): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      format: 'pursuit-lab/generator',
      version: 1,
      inputDim: 1,
      output: 'identity',
      layers: [
        { W: [[1]], b: [0] },
        { W: [[1]], b: [0] },
      ],
      ...fields,
    }),
  );
}

/**
 * A valid JSON model whose name is `mb` MiB long: the readers cannot foresee that memory (it is
 * no weight), so only the parse's heap limit and watchdog stop it. Decoded, the text alone is a
 * string of `mb` MiB on the worker's heap.
 */
export function jsonLongName(mb: number): Uint8Array {
  return jsonModel({ name: 'x'.repeat(mb * 1024 * 1024) });
}

/** A JSON model whose first layer has `values` weights in one row: 16 bytes a value to read. */
export function jsonWideRow(values: number): Uint8Array {
  return jsonModel({
    inputDim: values,
    layers: [
      { W: [new Array<number>(values).fill(0)], b: [0] },
      { W: [[1]], b: [0] },
    ],
  });
}
