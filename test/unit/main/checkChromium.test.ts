import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['scripts/check-chromium.mjs'], { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('npm test’s Chromium check', () => {
  it('stops at once, in one line saying what to do, when the named Chromium is not there', () => {
    const r = run({ PURSUIT_LAB_CHROMIUM: '/no/such/chromium' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('PURSUIT_LAB_CHROMIUM=/no/such/chromium does not exist');
  });

  it('passes when it names one that is there', () => {
    expect(run({ PURSUIT_LAB_CHROMIUM: process.execPath }).status).toBe(0);
  });
});
