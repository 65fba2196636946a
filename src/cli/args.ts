import { UsageError } from './io';

/** Parsed command line: positionals in order, flags by name (`--json` → true, `--out x` → 'x'). */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

/**
 * Splits argv into positionals and flags. `valued` lists the flags that take
 * a value (`--seed 3` or `--seed=3`); any flag not in `valued` or `boolean`
 * is a usage error, so a typo is never silently ignored.
 */
export function parseArgs(
  argv: readonly string[],
  spec: { valued?: readonly string[]; boolean?: readonly string[] },
): ParsedArgs {
  const valued = new Set(spec.valued ?? []);
  const boolean = new Set(spec.boolean ?? []);
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (valued.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else if (boolean.has(name) && eq < 0) {
      flags.set(name, true);
    } else {
      const known = [...valued, ...boolean].map((f) => `--${f}`).join(', ');
      throw new UsageError(`unknown option --${name}${known ? ` (known here: ${known})` : ''}`);
    }
  }
  return { positionals, flags };
}
