// The custom-activation compiler (mathjs) is loaded on demand. This file's module graph is its
// own (vitest isolates test files), so it starts without the compiler, as a fresh thread does.
import { describe, expect, it } from 'vitest';
import { ModelFormatError, openModel } from '../../../../src/core/formats/index';
import { activationFunctions, checkActivation } from '../../../../src/core/model/activations';
import {
  CustomActivationsNotLoadedError,
  customActivationCompiler,
  loadCustomActivationsFor,
  withCustomActivations,
} from '../../../../src/core/model/customActivationLoader';
import { forward } from '../../../../src/core/model/forward';
import { matrix } from '../../../../src/core/linalg/matrix';
import { parseRandomSpec } from '../../../../src/core/model/random';

const customModel = (expression: string) =>
  new TextEncoder().encode(
    JSON.stringify({
      format: 'pursuit-lab/generator',
      version: 1,
      name: 'custom',
      inputDim: 2,
      output: { kind: 'custom', expression },
      layers: [
        {
          W: [
            [1, -1],
            [0.5, 2],
            [-1, 0],
          ],
          b: [0, -1, 0.25],
        },
        {
          W: [
            [1, 0, 2],
            [0, -1, 1],
          ],
          b: [0.1, -0.2],
        },
      ],
    }),
  );

// In order: the first tests run before anything has loaded the compiler.
describe('loading the custom-activation compiler on demand', () => {
  it('refuses to judge or run a custom expression before it is loaded, and no reader calls that a bad file', async () => {
    const act = { kind: 'custom', expression: 'x + 0.5 * tanh(x)' } as const;
    expect(() => activationFunctions(act)).toThrow(CustomActivationsNotLoadedError);
    expect(() => checkActivation(act)).toThrow(CustomActivationsNotLoadedError);
    expect(() => customActivationCompiler()).toThrow(/await loadCustomActivations\(\) first/);
    // Through the JSON reader's guard, which turns every other unexpected error into a ModelFormatError.
    let thrown: unknown;
    try {
      openModel(customModel('x + 0.5 * tanh(x)'), 'custom.json');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CustomActivationsNotLoadedError);
    expect(() => parseRandomSpec('random:4,8,6:custom(x + x^3)')).toThrow(CustomActivationsNotLoadedError);
    // Models without a custom activation open without it; nothing is loaded for them.
    await loadCustomActivationsFor({ kind: 'tanh' });
    expect(() => customActivationCompiler()).toThrow(CustomActivationsNotLoadedError);
  });

  it('withCustomActivations loads it and opens the model again; the forward pass then runs φ', async () => {
    const { generator } = await withCustomActivations(() => openModel(customModel('x + 0.5 * tanh(x)'), 'custom.json'));
    expect(generator.output).toEqual({ kind: 'custom', expression: 'x + 0.5 * tanh(x)' });
    const z = matrix(2, 1, Float64Array.from([0.3, -0.7]));
    const y = forward(generator, z).output.data;
    // By hand: h = relu(W₀z + b₀), y = φ(W₁h + b₁) with φ(x) = x + tanh(x)/2.
    const h = [Math.max(0, 0.3 + 0.7), Math.max(0, 0.15 - 1.4 - 1), Math.max(0, -0.3 + 0.25)];
    const pre = [h[0] + 2 * h[2] + 0.1, -h[1] + h[2] - 0.2];
    for (let r = 0; r < 2; r++) expect(y[r]).toBeCloseTo(pre[r] + 0.5 * Math.tanh(pre[r]), 14);
  });

  it('once loaded, a bad expression is judged (a refusal of the file), and other errors pass through', async () => {
    expect(checkActivation({ kind: 'custom', expression: 'x^2' })).toMatch(/not strictly increasing/);
    await expect(withCustomActivations(() => openModel(customModel('x^2'), 'custom.json'))).rejects.toBeInstanceOf(
      ModelFormatError,
    );
    await expect(
      withCustomActivations(() => {
        throw new RangeError('not about activations');
      }),
    ).rejects.toThrow('not about activations');
  });
});
