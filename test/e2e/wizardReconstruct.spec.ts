// The wizard's step 4 through real Chromium in browser mode: an inversion test
// of 8 MNIST signals (lp, oracle, 30% of the pixels hidden), then every signal
// redrawn by the analysis worker from its recorded ẑ — the grid, its SNRs
// against result.json, sorting by the worst, paging, a signal's details.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { InvertReport } from '../../src/core/experiments/invert';
import { snrText } from '../../src/shared/figures/reconstruct';
import { startBrowserMode, type BrowserModeApp } from './browserMode';

let app: BrowserModeApp;
test.beforeAll(async () => {
  app = await startBrowserMode();
});
test.afterAll(async () => {
  await app?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/wizard-reconstruct-${name}.png`, fullPage: true });

const resultOf = (id: string) =>
  JSON.parse(readFileSync(join(app.workspace, 'runs', id, 'result.json'), 'utf8')) as InvertReport;

/** The signal indices of the table's rows, in order. */
const rowSignals = (page: Page) =>
  page
    .locator('[data-testid^="signal-row-"]')
    .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.signal)));

test('step 4: every signal redrawn, SNRs as recorded, sorted by the worst, paged, a signal opened', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}#/wizard/invert?model=bundled:mnist-fc-gan.onnx`);
  await expect(page.getByTestId('wizard-invert')).toBeVisible();
  for (const m of ['lbp', 'gd']) await page.getByTestId(`method-${m}`).uncheck();
  await page.getByTestId('invert-count').fill('8');
  await page.getByTestId('invert-mask').selectOption('random');
  await page.getByRole('spinbutton', { name: 'Fraction' }).fill('0.3');
  await page.getByTestId('invert-run').click();
  await expect(page.getByTestId('invert-summary')).toBeVisible({ timeout: 180_000 });
  const id = new URL(page.url().replace('#/', '')).searchParams.get('invert')!;
  const result = resultOf(id);
  // Drawn signal by signal: what the reconstruction step needs to redraw any one of them.
  expect(result.settings.draws).toBe('signal');
  expect(result.methods.lp!.signals[7].zHat).toHaveLength(result.methods.lp!.signals[0].zHat!.length);
  // Step 3's convergence curves, with the selected signal.
  await expect(page.getByTestId('figure-invert-convergence').locator('svg')).toBeVisible();
  await page.getByTestId('convergence-signal').fill('3');
  await expect(page.getByTestId('figure-invert-convergence')).toContainText('dashed: signal 3');
  // Two panels, the objective and the misfit; the CSV has both, point by point, and signal 3's own values.
  await expect(page.getByTestId('figure-invert-convergence')).toContainText('misfit (log scale)');
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('save-csv-invert-convergence').click();
  const csv = readFileSync((await (await csvDownload).path())!, 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toBe(
    'method,point,objective_p10,objective_p50,objective_p90,misfit_p10,misfit_p50,misfit_p90,signal_3_objective,signal_3_misfit',
  );
  const lpRows = csv.filter((l) => l.startsWith('lp,'));
  expect(lpRows).toHaveLength(Math.max(...result.methods.lp!.signals.map((s) => s.history!.length)));
  expect(result.methods.lp!.signals[3].misfit).toHaveLength(result.methods.lp!.signals[3].history!.length);
  await shot(page, '1-invert');
  await page
    .getByTestId('figure-invert-convergence')
    .screenshot({ path: 'test-results/wizard-reconstruct-1-convergence-figure.png' });

  await page.getByTestId('wizard-next').click();
  await expect(page).toHaveURL(/#\/wizard\/reconstruct\?/);
  const grid = page.getByTestId('figure-reconstructions');
  await expect(grid.locator('svg')).toBeVisible({ timeout: 60_000 });
  await expect(grid.locator('svg path, svg rect').first()).toBeAttached();
  // One row per signal on the page: 8 labels in the grid, 8 rows in the table.
  for (let i = 0; i < 8; i++) await expect(grid.locator('svg text', { hasText: `signal ${i}` })).toHaveCount(1);
  expect(await rowSignals(page)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  // The SNR under each method's G(ẑ) is the one result.json recorded (signal 5: a later chunk when chunks are small).
  for (const m of ['lp', 'oracle'] as const)
    for (const i of [0, 5])
      await expect(
        grid.locator('svg text', { hasText: snrText(result.methods[m]!.signals[i].snrImage) }),
      ).not.toHaveCount(0);
  await expect(grid).toContainText('hidden pixel');
  await shot(page, '2-grid');
  await grid.screenshot({ path: 'test-results/wizard-reconstruct-2-grid-figure.png' });

  // Worst SNR(ẑ) of lp first, 4 a page: two pages, in the order result.json gives.
  const lp = result.methods.lp!.signals;
  const worst = lp.map((_, i) => i).sort((a, b) => lp[a].snrZ - lp[b].snrZ || a - b);
  await page.getByTestId('reconstruct-per-page').selectOption('4');
  await page.getByTestId('reconstruct-sort').selectOption('worst');
  await page.getByTestId('reconstruct-sort-method').selectOption('lp');
  await expect(page.getByTestId('reconstruct-page')).toHaveText('Page 1 of 2');
  await expect.poll(() => rowSignals(page)).toEqual(worst.slice(0, 4));
  await expect(grid.locator('svg text', { hasText: `signal ${worst[0]}` })).toHaveCount(1);
  await page.getByTestId('reconstruct-next').click();
  await expect(page.getByTestId('reconstruct-page')).toHaveText('Page 2 of 2');
  await expect.poll(() => rowSignals(page)).toEqual(worst.slice(4, 8));
  await expect(grid.locator('svg text', { hasText: `signal ${worst[4]}` })).toHaveCount(1);
  await shot(page, '3-worst-page2');
  await grid.screenshot({ path: 'test-results/wizard-reconstruct-3-worst-page2-figure.png' });

  // A signal's details: its per-layer SNRs as recorded, and its convergence.
  const pick = worst[4];
  await page.getByTestId(`signal-open-${pick}`).click();
  const detail = page.getByTestId('signal-detail');
  await expect(detail).toBeVisible();
  for (const m of ['lp', 'oracle'] as const) {
    const s = result.methods[m]!.signals[pick];
    const row = page.getByTestId(`signal-layers-${m}`);
    await expect(row.locator('[data-layer="z"]')).toHaveText(snrText(s.snrZ));
    await expect(row.locator('[data-layer="x1"]')).toHaveText(snrText(s.snrLayers[0]));
    await expect(row.locator('[data-layer="image"]')).toHaveText(snrText(s.snrImage));
  }
  await expect(page.getByTestId(`figure-convergence-signal-${pick}`).locator('svg')).toBeVisible();
  await page.getByTestId(`figure-convergence-signal-${pick}`).scrollIntoViewIfNeeded();
  await shot(page, '4-detail');

  // The order, page and signal are in the address: a reload keeps them.
  await page.reload();
  await expect(page.getByTestId('reconstruct-page')).toHaveText('Page 2 of 2');
  await expect.poll(() => rowSignals(page)).toEqual(worst.slice(4, 8));
  await expect(page.getByTestId('signal-detail')).toContainText(`Signal ${pick}`);
  // A row's label in the grid opens that signal too.
  const other = worst[6];
  await grid.locator('svg text', { hasText: `signal ${other}` }).click();
  await expect(page.getByTestId('signal-detail').getByRole('heading')).toHaveText(`Signal ${other}`);
  expect(errors).toEqual([]);
});
