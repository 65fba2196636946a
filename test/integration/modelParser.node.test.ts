// The model parser's worker: weights come back as typed arrays, refusals are one line.
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/core/formats/errors';
import { createModelParser, ParseLimitError, parseLimitsFromEnv } from '../../src/main/services/modelParser';
import { readFixture } from '../helpers/fixtures';
import { jsonLongName, jsonWideRow } from '../helpers/hostileModels';

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
    // A 24 MiB name: the decoded text alone is more than a 16 MiB heap holds (no reader can foresee it).
    const small = createModelParser({ timeLimitMs: 60_000, memoryLimitMb: 16 }, () => undefined);
    await expect(small(jsonLongName(24), 'x.json')).rejects.toThrow(
      new ParseLimitError('model parsing needed more than 16 MB (the parse memory limit); the file was refused'),
    );
    // The parser recovers: a fresh worker takes the next file.
    expect((await parser(bytes, 'x.json')).format.id).toBe('json');
  });

  it('lowers the readers’ budget to the memory limit: a file that needs more is refused before it is read', async () => {
    const small = createModelParser({ timeLimitMs: 60_000, memoryLimitMb: 16 }, () => undefined);
    // 1.2 million weights are 18 MiB to read at 16 bytes each; the 2 GiB model budget would take them.
    const wide = jsonWideRow(1_200_000);
    await expect(small(wide, 'wide.json')).rejects.toThrow(
      new ModelFormatError(
        'json',
        'json: its 1200007 values need 18 MiB as float64, over the 16 MiB parse memory limit',
      ),
    );
    // Where the caller's own budget is the smaller, it stays, under its own name.
    await expect(small(wide, 'wide.json', { budgetBytes: 1024 * 1024 })).rejects.toThrow(
      /over the 1 MiB model budget$/,
    );
    // Under a larger limit the same file opens.
    expect((await parser(wide, 'wide.json')).generator.inputDim).toBe(1_200_000);
  });

  // A thread over its heap limit is stopped at its next interrupt check, which can come after the
  // parse was refused by the watchdog and its listeners removed; that late 'error' event once
  // reached the host uncaught and ended it. Vitest fails a run on an uncaught error; the race is
  // not certain in one parse (more than half of these, here, without the fix), hence several. Names
  // of 10–14 MiB sit near the limit, where the watchdog and the heap limit race; a machine whose
  // heap holds one is free to open it (the refusal itself is asserted above, with 24 MiB).
  it('a worker that reaches its heap limit after its parse was refused does not take the host down', async () => {
    const small = createModelParser({ timeLimitMs: 60_000, memoryLimitMb: 16 }, () => undefined);
    const outcomes: string[] = [];
    for (const mb of [11, 12, 13, 14, 12, 13]) {
      outcomes.push(
        await small(jsonLongName(mb), 'x.json').then(
          () => 'opened',
          (e: Error) => (e instanceof ParseLimitError ? 'refused' : e.message),
        ),
      );
    }
    expect(
      outcomes.every((o) => o === 'opened' || o === 'refused'),
      outcomes.join(', '),
    ).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
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
