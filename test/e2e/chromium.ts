import { existsSync } from 'node:fs';

/**
 * The Chromium the end-to-end tests drive: $PURSUIT_LAB_CHROMIUM if set,
 * else Debian's /usr/bin/chromium, else undefined (Playwright's own browser,
 * where `npx playwright install` could fetch one).
 */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.PURSUIT_LAB_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/** Flags for a closed network: without them Chromium floods it with refused connections. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
