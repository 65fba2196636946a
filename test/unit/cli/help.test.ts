import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main';
import { DEFAULT_PROJECT_METHODS } from '../../../src/core/experiments/project';

async function capture(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('pursuit-lab help', () => {
  it.each(['invert', 'check', 'inspect', 'generate', 'convert', 'experiment', 'project', 'runs', 'report'])(
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

  it('names project’s default methods as the project job has them', async () => {
    const out = (await capture(['project', '--help'])).out;
    expect(out).toContain(`(default ${DEFAULT_PROJECT_METHODS.join(',')})`);
    expect(out).toContain('--off-range T');
  });

  it('shows invert its options', async () => {
    expect((await capture(['invert', '--help'])).out).toContain('--lambda L');
  });
});

describe('pursuit-lab --version', () => {
  it.each(['--version', '-V'])('`%s` prints the version and exits 0', async (flag) => {
    const r = await capture([flag]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pursuit-lab \S+\n$/);
  });
});

describe('usage errors', () => {
  // Each command loads lazily and refers to its usage text from src/cli/usage.ts: a missing
  // argument prints that text (a dangling name would throw here, and esbuild does not check names).
  it.each(['invert', 'check', 'inspect', 'generate', 'convert', 'experiment', 'report'])(
    '`%s` without its argument exits 2 with its usage',
    async (command) => {
      const r = await capture([command]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`pursuit-lab ${command} <`);
    },
  );
});
