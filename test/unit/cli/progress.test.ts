import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io';
import { progressPrinter } from '../../../src/cli/output';

/** A CLI io that records stderr, with a clock the test moves by hand. */
function harness(errIsTerminal: boolean) {
  const err: string[] = [];
  const io: CliIo = { out: () => undefined, err: (t) => void err.push(t), errIsTerminal };
  let time = 0;
  return { err, io, now: () => time, advance: (ms: number) => (time += ms) };
}

describe('progressPrinter', () => {
  it('prints nothing for a run under a second', () => {
    const h = harness(false);
    const p = progressPrinter(h.io, h.now);
    for (let i = 0; i < 10; i++) {
      h.advance(90);
      p.update(() => `step ${i}`);
    }
    p.done();
    expect(h.err).toEqual([]);
  });

  it('writes a line at most once a second to a log or a pipe', () => {
    const h = harness(false);
    const p = progressPrinter(h.io, h.now);
    for (let i = 1; i <= 30; i++) {
      h.advance(100);
      p.update(() => `step ${i}`);
    }
    p.done();
    expect(h.err).toEqual(['step 11  1.1 s\n', 'step 21  2.1 s\n']);
  });

  it('redraws one terminal line up to ten times a second and clears it at the end', () => {
    const h = harness(true);
    const p = progressPrinter(h.io, h.now);
    for (let i = 1; i <= 15; i++) {
      h.advance(50);
      p.update(() => `step ${i}`);
    }
    expect(h.err).toHaveLength(0);
    for (let i = 16; i <= 30; i++) {
      h.advance(50);
      p.update(() => `step ${i}`);
    }
    expect(h.err.every((t) => t.startsWith('\r') && t.endsWith('\x1b[K') && !t.includes('\n'))).toBe(true);
    expect(h.err.length).toBeGreaterThanOrEqual(4);
    expect(h.err.length).toBeLessThanOrEqual(6);
    p.done();
    expect(h.err.at(-1)).toBe('\r\x1b[K');
  });
});
