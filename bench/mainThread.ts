/**
 * `npm run bench -- main-thread [--count N] [--method M]`: the renderer's
 * longest main-thread task while a job streams progress and its page
 * updates. Starts browser mode (`out/main/web.js`, built by `npm run build`)
 * in a fresh workspace, opens the wizard's inversion test in headless
 * Chromium, records every long task (the Long Tasks API: main-thread tasks
 * over 50 ms) from the click that starts a `count`-signal invert job until its
 * results and charts are drawn, and writes bench/results/main-thread.json.
 * Target: no task over 50 ms, so the list should be empty.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../test/e2e/chromium';
import { startBrowserMode } from '../test/e2e/browserMode';

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function benchMainThread(
  args: readonly string[],
  resultsDir: string,
  machine: Record<string, unknown>,
): Promise<void> {
  const count = Number(flag(args, 'count') ?? 512);
  const method = flag(args, 'method') ?? 'oracle';
  const app = await startBrowserMode();
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${app.url}#/wizard/invert?model=bundled:mnist-fc-gan.onnx`);
    await page.getByTestId('wizard-invert').waitFor();
    for (const m of ['lp', 'lbp', 'oracle', 'gd']) await page.getByTestId(`method-${m}`).setChecked(m === method);
    await page.getByTestId('invert-count').fill(String(count));
    // Long tasks from here on (buffered: none is missed between observer and click).
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask' });
    });
    // --profile: the main thread's CPU profile over the same span, and its top functions by self time.
    const cdp = args.includes('--profile') ? await page.context().newCDPSession(page) : undefined;
    if (cdp !== undefined) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const t0 = Date.now();
    await page.getByTestId('invert-run').click();
    await page.getByTestId('invert-summary').waitFor({ timeout: 30 * 60_000 });
    await page.getByTestId('figure-invert-snr').locator('svg').waitFor();
    // Let the charts finish drawing.
    await page.waitForTimeout(1000);
    const seconds = (Date.now() - t0) / 1000;
    const tasks = await page.evaluate(
      () => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks,
    );
    const longest = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
    if (cdp !== undefined) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(resultsDir, 'main-thread.cpuprofile'), JSON.stringify(profile));
      printTopFunctions(profile);
    }
    console.log(
      `${count} signals by ${method}: job and page done in ${seconds.toFixed(1)} s; ` +
        `${tasks.length} main-thread task(s) over 50 ms, the longest ${longest.toFixed(0)} ms`,
    );
    writeFileSync(
      join(resultsDir, 'main-thread.json'),
      JSON.stringify({ ...machine, count, method, seconds, longTasks: tasks, longestMs: longest }, null, 2) + '\n',
    );
  } finally {
    await browser.close();
    await app.stop();
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The 15 functions with the most self time in a CPU profile. */
function printTopFunctions(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0));
  });
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}
