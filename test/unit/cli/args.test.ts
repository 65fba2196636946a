import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/args';

describe('parseArgs', () => {
  it('splits positionals and flags', () => {
    const a = parseArgs(['model.json', '--json', '--out=x.json'], { valued: ['out'], boolean: ['json'] });
    expect(a.positionals).toEqual(['model.json']);
    expect(a.flags.get('json')).toBe(true);
    expect(a.flags.get('out')).toBe('x.json');
  });

  it('refuses unknown flags and missing values, naming them', () => {
    expect(() => parseArgs(['--jsno'], { boolean: ['json'] })).toThrow('unknown option --jsno (known here: --json)');
    expect(() => parseArgs(['--out'], { valued: ['out'] })).toThrow('--out needs a value');
  });
});
