import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, openModel } from '../../../../src/core/formats/index';
import { parseJsonModel, writeJsonModel } from '../../../../src/core/formats/json';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { summarizeGenerator } from '../../../../src/core/model/summary';
import { fixturePath, readFixture } from '../../../helpers/fixtures';
import { loadCustomActivations } from '../../../../src/core/model/customActivationLoader';

interface ManifestEntry {
  file: string;
  dims?: number[];
  output?: string;
  parameters?: number;
  error?: string;
}
const manifest = JSON.parse(readFileSync(fixturePath('json-models/manifest.json'), 'utf8')) as ManifestEntry[];

// The readers are called here directly: this thread loads the custom-activation compiler first, as the hosts do.
beforeAll(() => loadCustomActivations());

describe('JSON model fixtures (test/fixtures/json-models/manifest.json)', () => {
  it.each(manifest.filter((e) => e.error === undefined))('$file opens with the expected summary', (entry) => {
    const s = summarizeGenerator(openModel(readFixture(`json-models/${entry.file}`), entry.file).generator);
    expect({ dims: s.dims, output: s.output, parameters: s.parameters }).toEqual({
      dims: entry.dims,
      output: entry.output,
      parameters: entry.parameters,
    });
  });

  it.each(manifest.filter((e) => e.error !== undefined))('$file is refused: $error', (entry) => {
    const open = () => openModel(readFixture(`json-models/${entry.file}`), entry.file);
    expect(open).toThrow(ModelFormatError);
    expect(open).toThrow(entry.error);
  });
});

describe('JSON round trip', () => {
  it('writes and reads back every weight exactly', () => {
    const gen = randomGaussianGenerator([3, 8, 5, 4], { kind: 'plu', alpha: 0.1, c: 1 }, 9, 'round trip');
    gen.layers[1].b.set([0.1, -2e-300, 1 / 3, 5e-324, -0]);
    const back = parseJsonModel(writeJsonModel(gen), 'fallback');
    expect(back.name).toBe('round trip');
    expect(back.output).toEqual(gen.output);
    back.layers.forEach((l, i) => {
      expect(l.W.rows).toBe(gen.layers[i].W.rows);
      expect(l.W.cols).toBe(gen.layers[i].W.cols);
      expect(Array.from(l.W.data)).toEqual(Array.from(gen.layers[i].W.data));
      expect(Array.from(l.b)).toEqual(Array.from(gen.layers[i].b));
    });
  });

  it('rounds to the requested significant digits', () => {
    const gen = randomGaussianGenerator([2, 3, 2], { kind: 'identity' }, 1);
    const back = parseJsonModel(writeJsonModel(gen, { significantDigits: 3 }), 'x');
    back.layers[0].W.data.forEach((v, i) => expect(v).toBe(Number(gen.layers[0].W.data[i].toPrecision(3))));
  });

  it('uses the file name when the model has no name, and accepts a BOM', () => {
    const text = readFileSync(fixturePath('json-models/tiny-tanh.json'), 'utf8').replace('"name": "tiny-tanh", ', '');
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(openModel(bytes, 'dir/my model.json').generator.name).toBe('my model');
  });

  it('refuses invalid UTF-8', () => {
    expect(() => openModel(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'bad.json')).toThrow('not UTF-8');
  });
});

describe('module folding', () => {
  it('names a BatchNorm parameter whose length does not match its linear layer', async () => {
    const { foldModules } = await import('../../../../src/core/formats/fold');
    const { matrix } = await import('../../../../src/core/linalg/matrix');
    const ones = (n: number) => new Float64Array(n).fill(1);
    expect(() =>
      foldModules(
        'test',
        '',
        [
          { type: 'linear', where: 'lin0', W: matrix(3, 2, ones(6)), b: ones(3) },
          {
            type: 'batchnorm',
            where: 'bn1',
            gamma: ones(3),
            beta: ones(3),
            mean: ones(2),
            variance: ones(3),
            eps: 1e-5,
          },
          { type: 'relu', where: 'relu2' },
          { type: 'linear', where: 'lin3', W: matrix(1, 3, ones(3)), b: ones(1) },
        ],
        'm',
      ),
    ).toThrow('bn1: its mean has 2 entries but lin0 outputs 3');
  });
});
