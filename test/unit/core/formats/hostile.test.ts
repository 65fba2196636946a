import { deflateSync, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_BUDGET_BYTES,
  MAX_ENTRIES,
  MAX_LAYERS,
  ModelFormatError,
  openModel,
  type OpenOptions,
} from '../../../../src/core/formats/index';
import { MAX_JSON_DEPTH } from '../../../../src/core/formats/jsonText';
import { readFixture } from '../../../helpers/fixtures';
import {
  jsonModel,
  npyHeader,
  npzBomb,
  onnxChain,
  onnxFanOut,
  onnxHugeInitializer,
  safetensorsManyTensors,
  safetensorsOf,
  storedEntry,
  zipOf,
} from '../../../helpers/hostileModels';

/** Opens and returns the refusal; fails the test when the bytes open or throw anything but a one-line ModelFormatError. */
function refusal(bytes: Uint8Array, name: string, options?: OpenOptions): ModelFormatError {
  let caught: unknown;
  try {
    openModel(bytes, name, options);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ModelFormatError);
  const message = (caught as Error).message;
  expect(message).not.toMatch(/[\r\n]/);
  expect(message).not.toMatch(/\bat .*:\d+:\d+/); // no stack frame in the message
  return caught as ModelFormatError;
}

const text = (s: string) => new TextEncoder().encode(s);
const model = jsonModel;

describe('JSON models: hostile sizes and shapes end in one-line refusals (issue 9)', () => {
  it('refuses inputDim 1e15 from the declared sizes, not with "Invalid typed array length"', () => {
    const e = refusal(model({ inputDim: 1e15 }), 'huge.json');
    expect(e.message).toMatch(/^json: its layers need [\d.]+ PiB as float64, over the 2 GiB model budget$/);
  });

  it('refuses 10⁶ layers by the layer cap', () => {
    const layers = `[${Array.from({ length: 1_000_000 }, () => '{"W":[[1]],"b":[0]}').join(',')}]`;
    const bytes = text(
      `{"format":"pursuit-lab/generator","version":1,"inputDim":1,"output":"identity","layers":${layers}}`,
    );
    expect(refusal(bytes, 'deep.json').message).toBe('json: the file has 1000000 layers, over the limit of 1024');
  });

  it('refuses JSON nested 10⁶ deep before parsing it (no stack overflow)', () => {
    const n = 1_000_000;
    const bytes = text(`{"format":${'['.repeat(n)}${']'.repeat(n)}}`);
    expect(refusal(bytes, 'nested.json').message).toContain(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    // Brackets inside strings are text, not nesting.
    expect(openModel(model({ name: '['.repeat(1000) }), 'ok.json').generator.name).toBe('['.repeat(1000));
  });

  it('checks the budget it is given, counting every weight', () => {
    // 2 layers of 100 × 100 and 1 × 100: 10,201 numbers (with biases) = 81,608 bytes.
    const row = Array.from({ length: 100 }, () => 0.5);
    const layers = [
      { W: Array.from({ length: 100 }, () => row), b: row },
      { W: [row], b: [0] },
    ];
    const bytes = model({ inputDim: 100, layers });
    expect(openModel(bytes, 'ok.json', { budgetBytes: 1024 * 1024 }).generator.layers).toHaveLength(2);
    // The pre-scan counts the text's values and fields, 10,205 (16 bytes each: parsed, then copied), and refuses.
    expect(refusal(bytes, 'small.json', { budgetBytes: 100_000 }).message).toBe(
      'json: its 10205 values need 159 KiB as float64, over the 98 KiB model budget',
    );
    expect(DEFAULT_MODEL_BUDGET_BYTES).toBe(2 ** 31);
  });
});

describe('safetensors: hostile headers (issue 9)', () => {
  it('refuses overlapping data offsets, naming both tensors', () => {
    const data = new Uint8Array(24);
    const bytes = safetensorsOf(
      {
        '0.weight': { dtype: 'F64', shape: [1, 2], data_offsets: [0, 16] },
        '0.bias': { dtype: 'F64', shape: [1], data_offsets: [8, 16] },
        '2.weight': { dtype: 'F64', shape: [1, 1], data_offsets: [16, 24] },
      },
      data,
    );
    expect(refusal(bytes, 'overlap.safetensors', { output: { kind: 'identity' } }).message).toContain(
      'tensors "0.weight" (bytes 0–16) and "0.bias" (bytes 8–16) overlap',
    );
  });

  it('refuses 10⁵ tensors named as 50,000 modules by the module cap, at once', () => {
    const e = refusal(safetensorsManyTensors(50_000), 'many.safetensors', { output: { kind: 'identity' } });
    expect(e.message).toContain(`the file has 50000 modules (groups of tensors), over the limit of ${4 * MAX_LAYERS}`);
  });

  it('reads 10⁵ tensors when a sidecar names the two layers it uses', () => {
    const architecture = new TextEncoder().encode(
      JSON.stringify({
        format: 'pursuit-lab/architecture',
        version: 1,
        modules: [{ type: 'linear', name: '0' }, { type: 'relu' }, { type: 'linear', name: '1' }],
      }),
    );
    const gen = openModel(safetensorsManyTensors(50_000), 'many.safetensors', { architecture }).generator;
    expect(gen.layers.map((l) => [l.W.rows, l.W.cols])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it(`refuses more than ${MAX_ENTRIES} tensors before reading any`, () => {
    const header: Record<string, unknown> = {};
    for (let k = 0; k <= MAX_ENTRIES; k++) header[`t${k}`] = { dtype: 'F64', shape: [0], data_offsets: [0, 0] };
    expect(refusal(safetensorsOf(header, new Uint8Array(0)), 'empty.safetensors').message).toBe(
      `safetensors: the file has ${MAX_ENTRIES + 1} tensors, over the limit of ${MAX_ENTRIES}`,
    );
  });

  it('counts decoded and folded copies against the budget', () => {
    const bytes = readFixture('pytorch/bn_plu.safetensors');
    const architecture = readFixture('pytorch/bn_plu.arch.json');
    expect(openModel(bytes, 'bn_plu.safetensors', { architecture, budgetBytes: 64 * 1024 }).format.id).toBe(
      'safetensors',
    );
    expect(refusal(bytes, 'bn_plu.safetensors', { architecture, budgetBytes: 4096 }).message).toMatch(
      /^safetensors: its \d+ tensors \(decoded and folded\) need [\d.]+ KiB as float64, over the 4 KiB model budget$/,
    );
  });

  it('refuses an architecture sidecar with more modules than a generator has', () => {
    const modules = Array.from({ length: 4 * MAX_LAYERS + 1 }, () => ({ type: 'relu' }));
    const architecture = new TextEncoder().encode(
      JSON.stringify({ format: 'pursuit-lab/architecture', version: 1, modules }),
    );
    expect(refusal(safetensorsManyTensors(2), 'x.safetensors', { architecture }).message).toContain(
      `the file has ${4 * MAX_LAYERS + 1} modules in its architecture sidecar, over the limit of ${4 * MAX_LAYERS}`,
    );
  });
});

describe('npz: bombs and lies are refused before inflating (issue 9)', () => {
  it('refuses a 2 MB archive declaring 32768 × 32760 float16 zeros from the headers alone', () => {
    const bytes = npzBomb(32768, 32760, 2_100_000);
    expect(bytes.length).toBeLessThan(2_200_000);
    // Inflating it would allocate 2 GiB and then fail with "inflates to … bytes but declares …".
    expect(refusal(bytes, 'bomb.npz', { output: { kind: 'identity' } }).message).toBe(
      'npz: its arrays (inflated, decoded and folded) need 18 GiB as float64, over the 2 GiB model budget',
    );
  });

  it('refuses a stream longer than its declared size as soon as it shows', () => {
    const payload = new Uint8Array(1 << 20);
    payload.set(npyHeader('<f8', [2, 2]));
    const stored = deflateSync(payload);
    const bytes = zipOf([{ name: '0.weight.npy', stored, method: 8, size: npyHeader('<f8', [2, 2]).length + 32 }]);
    expect(refusal(bytes, 'long.npz', { output: { kind: 'identity' } }).message).toContain(
      'inflates to more than the 160 bytes it declares',
    );
  });

  it('reads deflated and Fortran-order arrays like stored C-order ones', () => {
    const npy = (descr: string, shape: number[], values: number[], fortran = false) => {
      const head = npyHeader(descr, shape, fortran);
      const out = new Uint8Array(head.length + 8 * values.length);
      out.set(head);
      values.forEach((v, i) => new DataView(out.buffer).setFloat64(head.length + 8 * i, v, true));
      return out;
    };
    const arrays = {
      '0.weight.npy': npy('<f8', [2, 3], [1, 2, 3, 4, 5, 6]),
      '0.bias.npy': npy('<f8', [2], [0.5, -0.5]),
      // [[1, 2]] written column by column is the same as row by row; [[7], [8]]ᵀ tests the transpose below.
      '2.weight.npy': npy('<f8', [1, 2], [7, 8], true),
      '2.bias.npy': npy('<f8', [1], [0]),
    };
    const deflated = zipSync(
      Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, [v, { level: 6 }]])) as Zippable,
    );
    const stored = zipOf(Object.entries(arrays).map(([k, v]) => storedEntry(k, v)));
    for (const bytes of [deflated, stored]) {
      const gen = openModel(bytes, 'x.npz', { output: { kind: 'identity' } }).generator;
      expect(Array.from(gen.layers[0].W.data)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(gen.layers[1].W.data)).toEqual([7, 8]);
    }
    const fortran = zipOf([
      storedEntry('0.weight.npy', npy('<f8', [2, 3], [1, 4, 2, 5, 3, 6], true)),
      storedEntry('0.bias.npy', arrays['0.bias.npy']),
      storedEntry('2.weight.npy', arrays['2.weight.npy']),
      storedEntry('2.bias.npy', arrays['2.bias.npy']),
    ]);
    const gen = openModel(fortran, 'f.npz', { output: { kind: 'identity' } }).generator;
    expect(Array.from(gen.layers[0].W.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('ONNX: long chains, wide fan-outs and huge declared sizes (issue 9)', () => {
  it('walks a chain of 10⁵ Identity nodes in linear time and opens the generator', () => {
    // 10,000 of these took about 140 s before (the elementwise-region search grew as n^2.7).
    const { generator } = openModel(onnxChain(100_000), 'chain.onnx');
    expect(generator.layers.map((l) => [l.W.rows, l.W.cols])).toEqual([
      [3, 2],
      [2, 3],
    ]);
    expect(generator.output).toEqual({ kind: 'identity' });
  });

  it('refuses a chain of 10⁵ arithmetic nodes as an activation, without evaluating it', () => {
    expect(refusal(onnxChain(100_000, 'Add'), 'adds.onnx').message).toContain(
      'span more than 64 elementwise nodes, more than any activation',
    );
  });

  it('refuses a tensor feeding 10⁵ nodes (the consumer index is built in linear time)', () => {
    expect(refusal(onnxFanOut(100_000), 'fan.onnx').message).toContain(
      'the data feeds 100000 node(s) that are not one elementwise activation',
    );
  });

  it(`counts nodes before decoding: more than ${MAX_ENTRIES} are refused`, () => {
    expect(refusal(onnxChain(MAX_ENTRIES), 'long.onnx').message).toBe(
      `onnx: the file has ${MAX_ENTRIES + 3} graph nodes, over the limit of ${MAX_ENTRIES}`,
    );
  });

  it('refuses an initializer declaring 10⁶ × 10⁶ elements before decoding it', () => {
    expect(refusal(onnxHugeInitializer([1_000_000, 1_000_000]), 'huge.onnx').message).toBe(
      'onnx: its initializers (decoded, transposed and folded) need 22 TiB as float64, over the 2 GiB model budget',
    );
  });

  it('turns a damaged protobuf into a one-line refusal', () => {
    const bytes = Uint8Array.from([0x08, 0x07, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00]);
    expect(refusal(bytes, 'bad.onnx').message).toContain('the file is not a valid ONNX protobuf');
  });
});
