// The wizard's step 2, "Is it invertible?", through real Chromium in browser
// mode: the check job on the bundled MNIST GAN with progress, its verdict
// card sentence for sentence what the run's result.json implies (through the
// same shared function), the per-layer pass fractions, the histograms, the
// coherence and theorem charts drawn; and a long check cancelled from the step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { CheckReport } from '../../src/core/experiments/check';
import { checkVerdict } from '../../src/shared/checkVerdict';
import { startBrowserMode, type BrowserModeApp } from './browserMode';

let app: BrowserModeApp;
test.beforeAll(async () => {
  app = await startBrowserMode();
});
test.afterAll(async () => {
  await app?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/wizard-check-${name}.png`, fullPage: true });

const pct = (f: number) => `${(100 * f).toFixed(f === 0 || f === 1 ? 0 : 1)}%`;

test('step 2 on the MNIST GAN: verdict card from result.json, pass fractions per layer, histograms and coherence drawn', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}#/wizard/check?model=bundled:mnist-fc-gan.onnx`);
  await expect(page.getByTestId('wizard-check')).toBeVisible();
  await page.getByTestId('check-samples').fill('64');
  await page.getByTestId('check-run').click();
  await expect(page.getByTestId('run-line')).toBeVisible();
  await expect(page.getByTestId('verdict-headline')).not.toBeEmpty({ timeout: 60_000 });

  const id = new URL(page.url().replace('#/', '')).searchParams.get('check')!;
  const result = JSON.parse(readFileSync(join(app.workspace, 'runs', id, 'result.json'), 'utf8')) as CheckReport;
  expect(result.samples).toBe(64);
  const v = checkVerdict(result);
  await expect(page.getByTestId('verdict-headline')).toHaveText(v.headline);
  await expect(page.getByTestId('verdict-certifies').locator('li')).toHaveText(v.certifies);
  if (v.failures.length) await expect(page.getByTestId('verdict-failures').locator('li')).toHaveText(v.failures);
  else await expect(page.getByTestId('verdict-failures')).toHaveCount(0);
  if (v.next.length) await expect(page.getByTestId('verdict-next').locator('li')).toHaveText(v.next);
  // The MNIST GAN (20 → 128 → 392 → 784): proven unique (Theorem 1), Theorem 3 too pessimistic.
  expect(v.headline).toContain('Invertible');
  expect(v.failures.join(' ')).toContain('Theorem 3 at layer 1 needs s₁ < 1/(3μ)');
  await expect(page.getByTestId('verdict')).not.toContainText('s_1');
  await expect(page.getByTestId('verdict')).not.toContainText('n_0');
  // The core's one-line verdict is still there (folded away), as the CLI prints it.
  expect(await page.getByTestId('verdict-text').textContent()).toBe(result.verdict);

  for (const key of ['theorem1', 'theorem2', 'theorem3'] as const) {
    for (const l of result.layers)
      await expect(page.getByTestId(`pass-${key}-${l.index}`)).toHaveText(pct(l[key].passFraction));
    await expect(page.getByTestId(`pass-${key}-all`)).toHaveText(pct(result.theorems[key].passFraction));
  }

  await page.getByTestId('verdict').screenshot({ path: 'test-results/wizard-check-verdict.png' });
  for (const name of [
    'check-histogram-1',
    'check-histogram-2',
    'check-coherence',
    'check-theorems',
    'check-sparsity',
  ]) {
    const figure = page.getByTestId(`figure-${name}`);
    await figure.scrollIntoViewIfNeeded();
    await expect(figure.locator('svg').first()).toBeVisible();
    // Drawn, not an empty frame: text (axis names, threshold labels) and shapes.
    expect(await figure.locator('svg text').count()).toBeGreaterThan(5);
    await figure.screenshot({ path: `test-results/wizard-check-${name.replace('check-', '')}.png` });
  }
  // The threshold labels of Theorems 1–3 on the first histogram: n₀ = 20, s₂ and 1/(3μ) with their values.
  const h1 = page.getByTestId('figure-check-histogram-1').locator('svg');
  await expect(h1).toContainText('n₀ = 20');
  await expect(h1).toContainText(`s₂ = ${result.layers[1].sparsity.median}`);
  await expect(h1).toContainText('1/(3μ) = ');
  await expect(page.getByTestId('figure-check-histogram-2').locator('svg')).toContainText('n = 784');
  await expect(page.getByTestId('figure-check-coherence').locator('svg')).toContainText('Babel function μ₁(k)');
  await shot(page, 'full');
  expect(errors).toEqual([]);
});

test('step 2: a long check shows its progress and cancels from the step', async ({ page }) => {
  await page.goto(`${app.url}#/wizard/check?model=bundled:mnist-fc-gan.onnx`);
  await page.getByTestId('check-samples').fill('100000');
  await page.getByTestId('check-run').click();
  await expect(page.getByTestId('run-line-status')).toContainText('running', { timeout: 30_000 });
  await shot(page, 'running');
  await page.getByTestId('run-line-cancel').click();
  await expect(page.getByTestId('run-line-status')).toContainText('cancelled', { timeout: 15_000 });
  // No verdict for a cancelled check.
  await expect(page.getByTestId('verdict')).toHaveCount(0);
});
