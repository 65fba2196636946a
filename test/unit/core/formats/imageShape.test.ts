// An image shape recorded with a model: in the JSON format, in an architecture sidecar and as an
// import option, always checked against the output's n.
import { describe, expect, it } from 'vitest';
import { ModelFormatError, openModel } from '../../../../src/core/formats/index';
import { parseJsonModel, writeJsonModel } from '../../../../src/core/formats/json';
import { outputImageShape } from '../../../../src/core/model/generator';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { summarizeGenerator } from '../../../../src/core/model/summary';
import { readFixture } from '../../../helpers/fixtures';

const encode = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
/** A 5 → 30 → 84 generator as JSON text, with `extra` fields in its head. */
function jsonModel(extra: Record<string, unknown>): string {
  const doc = JSON.parse(writeJsonModel(randomGaussianGenerator([5, 30, 84], { kind: 'tanh' }, 1))) as Record<
    string,
    unknown
  >;
  return JSON.stringify({ ...doc, ...extra });
}

describe('imageShape in the JSON model format', () => {
  it('is written and read back, and the summary carries it', () => {
    const gen = { ...randomGaussianGenerator([5, 30, 84], { kind: 'tanh' }, 1), imageShape: [12, 7] as const };
    const text = writeJsonModel(gen);
    expect(text).toContain('"imageShape": [12,7]');
    const back = parseJsonModel(text, 'x');
    expect(back.imageShape).toEqual([12, 7]);
    expect(summarizeGenerator(back).imageShape).toEqual([12, 7]);
    // Without one, nothing is written or summarised.
    const plain = parseJsonModel(writeJsonModel(randomGaussianGenerator([5, 30, 84], { kind: 'tanh' }, 1)), 'y');
    expect(plain.imageShape).toBeUndefined();
    expect('imageShape' in summarizeGenerator(plain)).toBe(false);
  });

  it('is refused when height × width is not the output’s n, with the numbers', () => {
    const open = () => openModel(encode(jsonModel({ imageShape: [12, 8] })), 'm.json');
    expect(open).toThrow(ModelFormatError);
    expect(open).toThrow(
      "imageShape [12, 8] is 12 × 8 = 96 pixels, but the model's output has n = 84 values (height × width must equal n)",
    );
  });

  it('is refused when it is not two positive integers', () => {
    for (const bad of [[84], [12, 7.5], [0, 84], '12x7', [12, 7, 1]])
      expect(() => openModel(encode(jsonModel({ imageShape: bad })), 'm.json')).toThrow(
        /imageShape must be \[height, width\], two positive integers, got /,
      );
  });
});

describe('imageShape in an architecture sidecar and as an import option', () => {
  const weights = readFixture('pytorch/tanh_plain.safetensors'); // 3 → 10 → 16, tanh
  const sidecar = (imageShape: unknown) => {
    const arch = JSON.parse(new TextDecoder().decode(readFixture('pytorch/tanh_plain.arch.json'))) as object;
    return encode({ ...arch, imageShape });
  };

  it('a sidecar records it for a weights-only file, checked against n', () => {
    const gen = openModel(weights, 'm.safetensors', { architecture: sidecar([2, 8]) }).generator;
    expect(gen.imageShape).toEqual([2, 8]);
    expect(() => openModel(weights, 'm.safetensors', { architecture: sidecar([3, 5]) })).toThrow(
      "the architecture sidecar's imageShape [3, 5] is 3 × 5 = 15 pixels, but the model's output has n = 16 values",
    );
  });

  it('the import option records it for any format, over the file’s own, and refuses a mismatch', () => {
    const onnx = readFixture('pytorch/tanh_plain.opset17.onnx');
    expect(openModel(onnx, 'm.onnx').generator.imageShape).toBeUndefined();
    expect(openModel(onnx, 'm.onnx', { imageShape: [8, 2] }).generator.imageShape).toEqual([8, 2]);
    const json = encode(jsonModel({ imageShape: [12, 7] }));
    expect(openModel(json, 'm.json', { imageShape: [7, 12] }).generator.imageShape).toEqual([7, 12]);
    const wrong = () => openModel(onnx, 'm.onnx', { imageShape: [4, 5] });
    expect(wrong).toThrow(ModelFormatError);
    expect(wrong).toThrow(
      'Cannot use "m.onnx" as an image model: imageShape [4, 5] is 4 × 5 = 20 pixels, but the model\'s output has n = 16 values',
    );
  });
});

describe('outputImageShape: what counts as an image', () => {
  it('the recorded shape, else a square side > 1, else none', () => {
    expect(outputImageShape(84, [12, 7])).toEqual([12, 7]);
    expect(outputImageShape(784)).toEqual([28, 28]);
    expect(outputImageShape(84)).toBeUndefined();
    expect(outputImageShape(1)).toBeUndefined();
  });
});
