import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main';

async function capture(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('pursuit-lab help', () => {
  it.each(['invert', 'check', 'inspect', 'generate', 'convert'])(
    '`%s --help` and `-h` print the command usage and exit 0',
    async (command) => {
      for (const flag of ['--help', '-h']) {
        const r = await capture([command, flag]);
        expect(r.code).toBe(0);
        expect(r.err).toBe('');
        expect(r.out).toContain(`pursuit-lab ${command}`);
      }
    },
  );

  it('shows invert its options', async () => {
    expect((await capture(['invert', '--help'])).out).toContain('--lambda L');
  });
});
