// The model parser's worker: weights come back as typed arrays, refusals are one line.
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/core/formats/errors';
import { createModelParser, ParseLimitError, parseLimitsFromEnv } from '../../src/main/services/modelParser';
import { readFixture } from '../helpers/fixtures';

const logged: string[] = [];
const parser = createModelParser({ timeLimitMs: 60_000, memoryLimitMb: 4096 }, (t) => logged.push(t));

describe('model parser worker', () => {
  it('parses in a worker and hands back Float64Array weights, JSON and a summary; the input stays usable', async () => {
    const bytes = readFixture('json-models/tiny-tanh.json');
    const copy = new Uint8Array(bytes);
    const parsed = await parser(bytes, 'tiny-tanh.json', undefined, { json: true });
    expect(parsed.format.id).toBe('json');
    expect(parsed.generator.layers[0].W.data).toBeInstanceOf(Float64Array);
    expect(parsed.summary.dims[0]).toBe(parsed.generator.inputDim);
    expect(new TextDecoder().decode(parsed.json)).toContain('"pursuit-lab/generator"');
    expect(bytes).toEqual(copy);
    // A second parse reuses the warm worker.
    expect((await parser(bytes, 'again.json')).format.id).toBe('json');
  });

  it('refuses a bad file with the reader’s one-line ModelFormatError', async () => {
    const e = await parser(readFixture('json-models/nan-bias.json'), 'bad.json').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as Error).message).toContain('layers[0].b[1]');
    expect((e as Error).message).not.toContain('\n');
  });

  it('turns anything else a reader throws into a one-line refusal and logs the stack', async () => {
    // JSON nested far deeper than any model: whatever the reader does with it, the answer is one line.
    const deep = new TextEncoder().encode('{"layers":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}');
    const e = await parser(deep, 'deep.json').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as Error).message.split('\n')).toHaveLength(1);
  });

  it('refuses over the time limit and over the memory limit, naming the limit', async () => {
    const bytes = readFixture('json-models/tiny-tanh.json');
    const slow = createModelParser({ timeLimitMs: 20, memoryLimitMb: 4096 }, () => undefined);
    await expect(slow(bytes, 'x.json')).rejects.toThrow(
      new ParseLimitError('model parsing took longer than 20 ms (the parse time limit); the file was refused'),
    );
    const small = createModelParser({ timeLimitMs: 60_000, memoryLimitMb: 16 }, () => undefined);
    await expect(small(bytes, 'x.json')).rejects.toThrow(/needed more than 16 MB \(the parse memory limit\)/);
    // The parser recovers: a fresh worker takes the next file.
    expect((await parser(bytes, 'x.json')).format.id).toBe('json');
  });

  it('reads its limits from the environment', () => {
    expect(parseLimitsFromEnv({})).toEqual({ timeLimitMs: 60_000, memoryLimitMb: 4096 });
    expect(parseLimitsFromEnv({ PURSUIT_LAB_PARSE_TIME_LIMIT: '2.5', PURSUIT_LAB_PARSE_MEMORY_LIMIT: '512' })).toEqual({
      timeLimitMs: 2500,
      memoryLimitMb: 512,
    });
    expect(() => parseLimitsFromEnv({ PURSUIT_LAB_PARSE_TIME_LIMIT: 'soon' })).toThrow(/positive number/);
  });
});
