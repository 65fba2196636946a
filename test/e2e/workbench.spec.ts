// The workbench through real Chromium in browser mode: navigation kept in the
// address, the wizard's check and inversion test as host jobs (a reload mid-job
// finds the job), the Runs page's actions, an experiment preset, chart exports.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startBrowserMode, type BrowserModeApp } from './browserMode';

let app: BrowserModeApp;
test.beforeAll(async () => {
  app = await startBrowserMode();
});
test.afterAll(async () => {
  await app?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/workbench-${name}.png`, fullPage: true });

/** The run folder's result.json, as the host wrote it. */
function resultOf(id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(app.workspace, 'runs', id, 'result.json'), 'utf8')) as Record<string, unknown>;
}

test('navigation: every page by keyboard, and a reload keeps the place', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('nav-models')).toHaveAttribute('aria-current', 'page');
  // Tab reaches the navigation and the model list; Enter follows a link.
  await page.getByTestId('nav-runs').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/runs$/);
  await expect(page.getByTestId('runs-empty')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('nav-runs')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('runs-empty')).toBeVisible();
  await page.getByTestId('nav-models').click();
  const entry = page.getByTestId('model-bundled:gaussian-100-300-625-tanh.json').getByRole('button');
  await entry.focus();
  await page.keyboard.press('Enter');
  await expect(entry).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('architecture')).toContainText('ℝ625');
});

test('wizard: the check gives a verdict; the inversion test matches its result.json; a reload mid-job finds it', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}#/wizard/model?model=bundled:mnist-fc-gan.onnx`);
  await expect(page.getByTestId('architecture')).toContainText('ℝ784');
  await shot(page, '1-model');
  await page.getByTestId('wizard-next').click();
  await expect(page).toHaveURL(/#\/wizard\/check\?model=bundled%3Amnist-fc-gan.onnx/);

  await page.getByTestId('check-samples').fill('64');
  await page.getByTestId('check-run').click();
  await expect(page).toHaveURL(/check=check-|check=\d{8}-/);
  await expect(page.getByTestId('verdict-text')).not.toBeEmpty({ timeout: 60_000 });
  const checkId = new URL(page.url().replace('#/', '')).searchParams.get('check')!;
  expect(await page.getByTestId('verdict-text').textContent()).toBe(resultOf(checkId).verdict);
  await expect(page.getByTestId('figure-check-sparsity').locator('svg')).toBeVisible();
  await shot(page, '2-check');

  await page.getByTestId('wizard-next').click();
  await expect(page.getByTestId('wizard-invert')).toBeVisible();
  for (const m of ['lbp', 'gd']) await page.getByTestId(`method-${m}`).uncheck();
  await page.getByTestId('invert-count').fill('16');
  await page.getByTestId('invert-run').click();
  await expect(page.getByTestId('run-line')).toBeVisible();
  // A reload while the job runs: the address names it, the host still has it.
  await page.reload();
  await expect(page.getByTestId('invert-summary')).toBeVisible({ timeout: 120_000 });
  // After the reload the form shows the settings of the run on screen, not the defaults.
  await expect(page.getByTestId('invert-count')).toHaveValue('16');
  await expect(page.getByTestId('method-lp')).toBeChecked();
  await expect(page.getByTestId('method-lbp')).not.toBeChecked();
  const invertId = new URL(page.url().replace('#/', '')).searchParams.get('invert')!;
  const result = resultOf(invertId) as { methods: Record<string, { summary: { successRate: number } }> };
  for (const m of ['lp', 'oracle']) {
    const rate = result.methods[m].summary.successRate;
    await expect(page.getByTestId(`summary-${m}`).getByTestId('success')).toHaveText(
      `${(100 * rate).toFixed(rate === 0 || rate === 1 ? 0 : 1)}%`,
    );
  }
  await expect(page.getByTestId('figure-invert-snr').locator('svg')).toBeVisible();
  // The examples' image grid: a canvas with the digits drawn (dark pixels), not a blank.
  const images = page.getByTestId('figure-invert-images').locator('canvas');
  await expect(images).toBeVisible();
  expect(
    await images.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
      return dark;
    }),
  ).toBeGreaterThan(1000);
  await shot(page, '3-invert');

  // A chart's SVG export is the chart, and it parses.
  const download = page.waitForEvent('download');
  await page.getByTestId('save-svg-invert-snr').click();
  const svg = readFileSync((await (await download).path())!, 'utf8');
  expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('save-csv-invert-success').click();
  const csv = readFileSync((await (await csvDownload).path())!, 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toBe('series,index,v0');
  // The success chart: one bar per method (lp, oracle), one row each, the rates of result.json.
  expect(csv.slice(1)).toEqual(
    ['lp', 'oracle'].map((m, i) => `success rate,${i},${100 * result.methods[m].summary.successRate}`),
  );
  const pngDownload = page.waitForEvent('download');
  await page.getByTestId('save-png-invert-snr').click();
  const png = readFileSync((await (await pngDownload).path())!);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  // Twice the chart's size: width and height from the IHDR chunk.
  expect(png.readUInt32BE(16)).toBeGreaterThan(1000);

  // Step 4 (reconstructions; its own spec is wizardReconstruct.spec.ts), then step 5.
  await page.getByTestId('wizard-next').click();
  await expect(page.getByTestId('wizard-reconstruct')).toBeVisible();
  await page.getByTestId('wizard-next').click();
  await page.getByTestId(`report-${invertId}`).click();
  // HTML, a PDF through Chromium, every figure as SVG and PNG: seconds, more on a busy machine.
  await expect(page.getByTestId('report-files')).toContainText('report.html', { timeout: 60_000 });
  await expect(page.getByTestId('report-files')).toContainText('figures/invert-snr.svg');
  // Browser mode: the report comes down as a download, every figure inline.
  const htmlDownload = page.waitForEvent('download');
  await page.getByTestId('download-report.html').click();
  const html = readFileSync((await (await htmlDownload).path())!, 'utf8');
  const figureNames = readdirSync(join(app.workspace, 'runs', invertId, 'figures'))
    .filter((f) => f.endsWith('.svg'))
    .map((f) => f.slice(0, -4));
  expect(figureNames).toEqual(expect.arrayContaining(['invert-snr', 'invert-success', 'invert-images']));
  for (const f of figureNames) expect(html).toContain(`<figure id="fig-${f}">`);
  await shot(page, '5-report');
  expect(errors).toEqual([]);
});

test('runs page: a quick Fig. 2 from the experiments page, cancel, resume and delete', async ({ page }) => {
  await page.goto(`${app.url}#/experiments`);
  const fig2 = page.getByTestId('preset-fig2');
  await fig2.getByTestId('preset-count').fill('8');
  await fig2.getByTestId('preset-start').click();
  await expect(page).toHaveURL(/#\/runs\/\d{8}-\d{6}-sweep-/);
  await expect(page.getByTestId('detail-state')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('figure-fig2-n0-100-z').locator('svg')).toBeVisible();
  await shot(page, 'fig2');

  // A check of 100 000 samples runs long enough to cancel.
  await page.goto(`${app.url}#/wizard/check?model=bundled:mnist-fc-gan.onnx`);
  await page.getByTestId('check-samples').fill('100000');
  await page.getByTestId('check-run').click();
  await expect(page.getByTestId('run-line-status')).toContainText('running', { timeout: 30_000 });
  await page.getByTestId('nav-runs').click();
  const row = page.locator('tr', { has: page.getByText('Invertibility check') }).first();
  await expect(row.getByTestId('run-state')).toHaveText('running');
  await row.getByTestId('run-cancel').click();
  await expect(row.getByTestId('run-state')).toHaveText('cancelled', { timeout: 15_000 });
  await shot(page, 'runs');
  // Resume it, cancel again, then delete it: the row goes, its folder too.
  await row.getByTestId('run-resume').click();
  await expect(row.getByTestId('run-state')).toHaveText(/queued|running/);
  await row.getByTestId('run-cancel').click();
  await expect(row.getByTestId('run-state')).toHaveText('cancelled', { timeout: 15_000 });
  const id = (await row.locator('.meta').first().textContent())!.trim();
  page.once('dialog', (d) => void d.accept());
  await row.getByTestId('run-delete').click();
  await expect(page.getByTestId(`run-${id}`)).toHaveCount(0);
  expect(existsSync(join(app.workspace, 'runs', id))).toBe(false);
});
