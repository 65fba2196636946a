// Prints one plain `N passed, N failed, N skipped` line over every test
// runner's JSON report (vitest unit + integration, Playwright e2e), because
// CI's reader does not recognise vitest's own summary. Exits 1 when a report
// is missing or any test failed.
import { existsSync, readFileSync } from 'node:fs';

const reports = [
  ['unit', 'test-results/unit.json', 'vitest'],
  ['integration', 'test-results/integration.json', 'vitest'],
  ['e2e', 'test-results/e2e.json', 'playwright'],
];
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = false;
for (const [name, path, kind] of reports) {
  if (!existsSync(path)) {
    console.log(`${name}: no report at ${path} (that stage did not run)`);
    missing = true;
    continue;
  }
  const r = JSON.parse(readFileSync(path, 'utf8'));
  const counts =
    kind === 'vitest'
      ? { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + (r.numTodoTests ?? 0) }
      : { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped };
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing ? 1 : 0);
