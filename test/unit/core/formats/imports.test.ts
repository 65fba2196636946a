import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError, openModel, type OpenOptions } from '../../../../src/core/formats/index';
import { matrix } from '../../../../src/core/linalg/matrix';
import { forward } from '../../../../src/core/model/forward';
import { summarizeGenerator } from '../../../../src/core/model/summary';
import { fixturePath, readFixture } from '../../../helpers/fixtures';

interface Entry {
  file: string;
  format?: string;
  reference?: string;
  sidecar?: string;
  dims?: number[];
  output?: Record<string, unknown>;
  error?: string;
}
interface Reference {
  z: number[][];
  output: number[][];
  hidden: number[][][];
}

const manifests = ['pytorch', 'onnx-variants'].map((dir) => ({
  dir,
  entries: JSON.parse(readFileSync(fixturePath(`${dir}/manifest.json`), 'utf8')) as Entry[],
}));

function open(dir: string, e: Entry, extra: OpenOptions = {}) {
  const options: OpenOptions = { ...extra, ...(e.sidecar ? { architecture: readFixture(`${dir}/${e.sidecar}`) } : {}) };
  return openModel(readFixture(`${dir}/${e.file}`), e.file, options);
}

/** max |ours − theirs| / max |theirs| over a batch (relative to the signal's scale, not per entry). */
function relativeDiff(ours: Float64Array, count: number, theirs: number[][]): number {
  let diff = 0;
  let scale = 0;
  theirs.forEach((col, j) =>
    col.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(ours[i * count + j] - v));
      scale = Math.max(scale, Math.abs(v));
    }),
  );
  return diff / scale;
}

for (const { dir, entries } of manifests) {
  describe(`fixtures made by real tools: test/fixtures/${dir}`, () => {
    it.each(entries.filter((e) => e.error === undefined))(
      '$file: folded architecture and PyTorch’s G(z) to 1e-9',
      (e) => {
        const { generator, format } = open(dir, e);
        if (e.format) expect(format.id).toBe(e.format);
        const s = summarizeGenerator(generator);
        expect(s.dims).toEqual(e.dims);
        expect(generator.output).toEqual(e.output);
        const ref = JSON.parse(readFileSync(fixturePath(`${dir}/${e.reference}`), 'utf8')) as Reference;
        const count = ref.z.length;
        const z = matrix(generator.inputDim, count);
        ref.z.forEach((col, j) => col.forEach((v, i) => (z.data[i * count + j] = v)));
        const pass = forward(generator, z);
        expect(relativeDiff(pass.output.data, count, ref.output)).toBeLessThan(1e-9);
        ref.hidden.forEach((h, layer) => expect(relativeDiff(pass.hidden[layer].data, count, h)).toBeLessThan(1e-9));
      },
    );

    it.each(entries.filter((e) => e.error !== undefined))('$file is refused: $error', (e) => {
      expect(() => open(dir, e)).toThrow(ModelFormatError);
      expect(() => open(dir, e)).toThrow(e.error);
    });
  });
}

describe('weights-only files without a sidecar', () => {
  const stripped = (file: string) => readFixture(`pytorch/${file}`);

  it.each(['tanh_plain.safetensors', 'tanh_plain.npz', 'bn_plu.safetensors', 'bn_plu.npz'])(
    '%s asks for the output activation, then matches the sidecar reading',
    (file) => {
      let caught: unknown;
      try {
        openModel(stripped(file), file);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ModelFormatError);
      expect((caught as ModelFormatError).needs).toBe('output-activation');
      expect((caught as ModelFormatError).message).toContain('cannot tell the output activation');
      const base = file.replace(/\.[^.]+$/, '');
      const withSidecar = openModel(stripped(file), file, {
        architecture: readFixture(`pytorch/${base}.arch.json`),
      }).generator;
      const inferred = openModel(stripped(file), file, { output: withSidecar.output }).generator;
      expect(summarizeGenerator(inferred).dims).toEqual(summarizeGenerator(withSidecar).dims);
      inferred.layers.forEach((l, i) => {
        expect(Array.from(l.W.data)).toEqual(Array.from(withSidecar.layers[i].W.data));
        expect(Array.from(l.b)).toEqual(Array.from(withSidecar.layers[i].b));
      });
    },
  );

  it('refuses a sidecar that is not an architecture, naming the field', () => {
    const bad = new TextEncoder().encode(
      JSON.stringify({ format: 'pursuit-lab/architecture', version: 1, modules: [{ type: 'conv', name: '0' }] }),
    );
    expect(() => openModel(stripped('tanh_plain.safetensors'), 'x.safetensors', { architecture: bad })).toThrow(
      'modules[0]: unknown module type "conv"',
    );
  });
});

describe('format detection is by content, not by name', () => {
  it('opens an ONNX file named .json and a JSON model named .onnx', () => {
    expect(openModel(readFixture('pytorch/tanh_plain.opset13.onnx'), 'misnamed.json').format.id).toBe('onnx');
    expect(openModel(readFixture('json-models/tiny-tanh.json'), 'misnamed.onnx').format.id).toBe('json');
  });
});

describe('the bundled trained demo, resources/models/mnist-fc-gan.onnx', () => {
  it('is the paper’s 20 → 128 → 392 → 784 PLU generator and computes PyTorch’s G(z)', () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('../../resources/models/mnist-fc-gan.onnx')));
    const { generator } = openModel(bytes, 'mnist-fc-gan.onnx');
    expect(summarizeGenerator(generator).dims).toEqual([20, 128, 392, 784]);
    expect(generator.output).toEqual({ kind: 'plu', alpha: 0.1, c: 1 });
    const ref = JSON.parse(readFileSync(fixturePath('pytorch/mnist-fc-gan.reference.json'), 'utf8')) as Reference;
    const count = ref.z.length;
    const z = matrix(20, count);
    ref.z.forEach((col, j) => col.forEach((v, i) => (z.data[i * count + j] = v)));
    const pass = forward(generator, z);
    expect(relativeDiff(pass.output.data, count, ref.output)).toBeLessThan(1e-9);
    ref.hidden.forEach((h, layer) => expect(relativeDiff(pass.hidden[layer].data, count, h)).toBeLessThan(1e-9));
  });
});

describe('the saturating fixture, test/fixtures/pytorch/mnist-tanh-gan.onnx', () => {
  it('is a trained 20 → 128 → 392 → 784 tanh generator and computes PyTorch’s G(z)', () => {
    const { generator } = openModel(readFixture('pytorch/mnist-tanh-gan.onnx'), 'mnist-tanh-gan.onnx');
    expect(summarizeGenerator(generator).dims).toEqual([20, 128, 392, 784]);
    expect(generator.output).toEqual({ kind: 'tanh' });
    const ref = JSON.parse(readFileSync(fixturePath('pytorch/mnist-tanh-gan.reference.json'), 'utf8')) as Reference;
    const count = ref.z.length;
    const z = matrix(20, count);
    ref.z.forEach((col, j) => col.forEach((v, i) => (z.data[i * count + j] = v)));
    const pass = forward(generator, z);
    expect(relativeDiff(pass.output.data, count, ref.output)).toBeLessThan(1e-9);
    ref.hidden.forEach((h, layer) => expect(relativeDiff(pass.hidden[layer].data, count, h)).toBeLessThan(1e-9));
    // It saturates: in each reference sample some pixels are within 1.5e-8 of ±1 (|pre-activation| > ~9.4).
    ref.output.forEach((col) => expect(col.filter((v) => 1 - Math.abs(v) < 1.5e-8).length).toBeGreaterThan(20));
  });
});

describe('safetensors dtypes', () => {
  /** A two-layer nn.Sequential state dict in one dtype, written by hand. */
  function safetensorsOf(
    dtype: 'BF16' | 'F16',
    bits: Record<string, { shape: number[]; words: number[] }>,
  ): Uint8Array {
    const header: Record<string, unknown> = {};
    let offset = 0;
    for (const [name, t] of Object.entries(bits)) {
      header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + 2 * t.words.length] };
      offset += 2 * t.words.length;
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + offset);
    const view = new DataView(out.buffer);
    view.setUint32(0, json.length, true);
    out.set(json, 8);
    let at = 8 + json.length;
    for (const t of Object.values(bits)) {
      for (const w of t.words) {
        view.setUint16(at, w, true);
        at += 2;
      }
    }
    return out;
  }

  it('decodes bfloat16 as the upper half of a float32', () => {
    // bf16: 1.0 = 0x3F80, −2.0 = 0xC000, 0.5 = 0x3F00, 3.0 = 0x4040, 0 = 0x0000
    const bytes = safetensorsOf('BF16', {
      '0.weight': { shape: [2, 1], words: [0x3f80, 0xc000] },
      '0.bias': { shape: [2], words: [0x3f00, 0x0000] },
      '2.weight': { shape: [1, 2], words: [0x4040, 0x3f80] },
      '2.bias': { shape: [1], words: [0x0000] },
    });
    const gen = openModel(bytes, 'bf16.safetensors', { output: { kind: 'identity' } }).generator;
    expect(Array.from(gen.layers[0].W.data)).toEqual([1, -2]);
    expect(Array.from(gen.layers[0].b)).toEqual([0.5, 0]);
    expect(Array.from(gen.layers[1].W.data)).toEqual([3, 1]);
  });

  it('decodes float16', () => {
    // f16: 1.0 = 0x3C00, −2.0 = 0xC000, 0.5 = 0x3800, 3.0 = 0x4200
    const bytes = safetensorsOf('F16', {
      '0.weight': { shape: [2, 1], words: [0x3c00, 0xc000] },
      '0.bias': { shape: [2], words: [0x3800, 0x0000] },
      '2.weight': { shape: [1, 2], words: [0x4200, 0x3c00] },
      '2.bias': { shape: [1], words: [0x0000] },
    });
    const gen = openModel(bytes, 'f16.safetensors', { output: { kind: 'identity' } }).generator;
    expect(Array.from(gen.layers[0].W.data)).toEqual([1, -2]);
    expect(Array.from(gen.layers[1].W.data)).toEqual([3, 1]);
  });
});
