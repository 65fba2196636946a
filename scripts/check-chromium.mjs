#!/usr/bin/env node
// Before the tests: is there a Chromium for the end-to-end stage? Without one,
// Playwright would end that stage (after every other stage ran) in advice to
// download a browser, which cannot work offline. Stop at once, in one line
// that says how to get one. The order is test/e2e/chromium.ts's.
import { existsSync } from 'node:fs';

const fromEnv = process.env.PURSUIT_LAB_CHROMIUM;
if (fromEnv !== undefined && fromEnv !== '') {
  if (existsSync(fromEnv)) process.exit(0);
  console.error(
    `PURSUIT_LAB_CHROMIUM=${fromEnv} does not exist: point it at a Chromium, or unset it to use /usr/bin/chromium`,
  );
  process.exit(1);
}
if (existsSync('/usr/bin/chromium')) process.exit(0);
let playwrights;
try {
  const { chromium } = await import('@playwright/test');
  playwrights = chromium.executablePath();
} catch {
  playwrights = undefined;
}
if (playwrights !== undefined && existsSync(playwrights)) process.exit(0);
console.error(
  'No Chromium for the end-to-end tests: install it with `sudo apt-get install -y chromium` (Debian, Ubuntu), or set PURSUIT_LAB_CHROMIUM to a Chromium binary',
);
process.exit(1);
