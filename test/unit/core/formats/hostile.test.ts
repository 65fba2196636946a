import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_BUDGET_BYTES,
  ModelFormatError,
  openModel,
  type OpenOptions,
} from '../../../../src/core/formats/index';
import { MAX_JSON_DEPTH } from '../../../../src/core/formats/jsonText';

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
const model = (fields: Record<string, unknown>) =>
  text(
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
