// The whole wizard on a generator the user imports: a PyTorch-exported ONNX
// (the saturating MNIST tanh GAN) opened through the file picker, then every
// step on it — the verdict, a 16-signal inversion test (LP and the Oracle)
// whose success rates are its result.json's, the reconstructions drawn, and
// the report downloaded with every figure in it.
import { readdirSync, readFileSync } from 'node:fs';
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

const queryOf = (page: Page, key: string) => new URL(page.url().replace('#/', '')).searchParams.get(key)!;
const resultOf = (id: string) =>
  JSON.parse(readFileSync(join(app.workspace, 'runs', id, 'result.json'), 'utf8')) as {
    verdict?: string;
    methods: Record<string, { summary: { successRate: number } }>;
  };
const pct = (rate: number) => `${(100 * rate).toFixed(rate === 0 || rate === 1 ? 0 : 1)}%`;

test('an imported ONNX generator through every step of the wizard', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}#/wizard/model`);
  await expect(page.getByTestId('architecture')).toBeVisible();
  await page.getByTestId('model-file-input').setInputFiles({
    name: 'mnist-tanh-gan.onnx',
    mimeType: 'application/octet-stream',
    buffer: readFileSync('test/fixtures/pytorch/mnist-tanh-gan.onnx'),
  });
  const arch = page.getByTestId('architecture');
  await expect(arch).toContainText('mnist-tanh-gan');
  await expect(arch).toContainText('tanh');
  // The address now names the imported model, not the bundled one.
  await expect(page).toHaveURL(/model=(?!bundled)/);
  const model = queryOf(page, 'model');

  // Past the model step the wizard has the host start the model's worker threads ahead of the first run.
  const prepared = page.waitForRequest((r) => r.url().includes('/api/call/prepareRuns'), { timeout: 30_000 });
  await page.getByTestId('wizard-next').click();
  // (Its body is a Blob, which the browser does not show; the host's answer says it started them.)
  const answer = (await (await (await prepared).response())!.body()).toString('utf8');
  expect(answer).toMatch(/"ok":true,"value":\{"workers":\d+\}/);
  await page.getByTestId('check-samples').fill('32');
  await page.getByTestId('check-run').click();
  await expect(page.getByTestId('verdict')).toBeVisible({ timeout: 60_000 });
  const check = resultOf(queryOf(page, 'check'));
  expect(check.verdict).toBeTruthy();
  await expect(page.getByTestId('verdict')).toContainText('Theorem');

  await page.getByTestId('wizard-next').click();
  for (const m of ['lbp', 'gd']) await page.getByTestId(`method-${m}`).uncheck();
  await page.getByTestId('invert-count').fill('16');
  await page.getByTestId('invert-run').click();
  await expect(page.getByTestId('invert-summary')).toBeVisible({ timeout: 180_000 });
  const invertId = queryOf(page, 'invert');
  expect(queryOf(page, 'model')).toBe(model);
  const result = resultOf(invertId);
  for (const m of ['lp', 'oracle'])
    await expect(page.getByTestId(`summary-${m}`).getByTestId('success')).toHaveText(
      pct(result.methods[m].summary.successRate),
    );

  await page.getByTestId('wizard-next').click();
  const grid = page.getByTestId('figure-reconstructions');
  await expect(grid.locator('svg')).toBeVisible({ timeout: 60_000 });
  await expect(grid.locator('svg text', { hasText: 'signal 0' })).toHaveCount(1);

  await page.getByTestId('wizard-next').click();
  await page.getByTestId(`report-${invertId}`).click();
  await expect(page.getByTestId('report-files')).toContainText('report.html', { timeout: 60_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('download-report.html').click();
  const html = readFileSync((await (await download).path())!, 'utf8');
  const figures = readdirSync(join(app.workspace, 'runs', invertId, 'figures')).filter((f) => f.endsWith('.svg'));
  expect(figures.length).toBeGreaterThanOrEqual(3);
  for (const f of figures) expect(html).toContain(`<figure id="fig-${f.slice(0, -4)}">`);
  // The report names the imported model by its SHA-256, as spec.json records it.
  const spec = JSON.parse(readFileSync(join(app.workspace, 'runs', invertId, 'spec.json'), 'utf8')) as {
    model: { sha256: string };
  };
  expect(html).toContain(spec.model.sha256);
  await page.screenshot({ path: 'test-results/wizard-walk-report.png', fullPage: true });
  expect(errors).toEqual([]);
});
