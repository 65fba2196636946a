// Wizard step 1 and "your own image" through real Chromium in browser mode:
// import an ONNX file through the file picker, tell same-named models apart,
// remove one; the sparsity panel only ever shows a model's own result; the
// model's weights never pass through the page's thread; a 16-bit PNG of a
// G(z) dropped on the project step is projected, with a residual and a
// certificate line per method.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { encode as encodePng } from 'fast-png';
import { openModel } from '../../src/core/formats/index';
import { createRng } from '../../src/core/linalg/rng';
import { matrix } from '../../src/core/linalg/matrix';
import { forward } from '../../src/core/model/forward';
import { startBrowserMode, type BrowserModeApp } from './browserMode';

let app: BrowserModeApp;
test.beforeAll(async () => {
  app = await startBrowserMode();
});
test.afterAll(async () => {
  await app?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/wizard-models-${name}.png`, fullPage: true });

const GAUSSIAN = 'bundled:gaussian-100-300-625-tanh.json';
const MNIST = 'bundled:mnist-fc-gan.onnx';
const fixture = (name: string) => readFileSync(join('test/fixtures/pytorch', name));

test('step 1: import an ONNX file by the picker, tell same-named models apart, remove one', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}#/wizard/model`);
  await expect(page.getByTestId('architecture')).toContainText('ℝ784');
  // The layer-width chart draws n₀ … n.
  const widths = page.getByTestId('layer-widths');
  await expect(widths.locator('svg')).toBeVisible();
  await expect(widths).toContainText('n₀ (z)');
  await expect(widths).toContainText('n (G(z))');
  await expect(widths).toContainText('784');

  // Two different files under one file name: both are "generator"; a short SHA-256 tells them apart.
  const input = page.getByTestId('model-file-input');
  await input.setInputFiles({
    name: 'generator.onnx',
    mimeType: 'application/octet-stream',
    buffer: fixture('leaky.opset13.onnx'),
  });
  await expect(page.getByTestId('architecture')).toContainText('ℝ14');
  await input.setInputFiles({
    name: 'generator.onnx',
    mimeType: 'application/octet-stream',
    buffer: fixture('leaky.opset17.onnx'),
  });
  const entries = page.locator('.library li', { hasText: 'generator' });
  await expect(entries).toHaveCount(2);
  const distinct = await entries.getByTestId('model-distinct').allTextContents();
  expect(distinct).toHaveLength(2);
  for (const d of distinct) expect(d).toMatch(/sha256 [0-9a-f]{8}/);
  expect(distinct[0]).not.toBe(distinct[1]);
  // A third file with its own name needs no disambiguation.
  await input.setInputFiles(join('test/fixtures/pytorch', 'identity_out.opset13.onnx'));
  const identity = page.locator('.library li', { hasText: 'identity_out.opset13' });
  await expect(identity).toBeVisible();
  await expect(identity.getByTestId('model-distinct')).toHaveCount(0);
  await shot(page, '1-library');

  // Bundled models have no Remove; an imported one asks first, then goes (list and folder).
  await expect(page.getByTestId(`model-${MNIST}`).getByTestId('remove-model')).toHaveCount(0);
  const id = (await identity.getAttribute('data-testid'))!.replace(/^model-/, '');
  expect(existsSync(join(app.workspace, 'models', id))).toBe(true);
  await identity.getByTestId('remove-model').click();
  await expect(identity.getByTestId('remove-model-confirm')).toBeVisible();
  await shot(page, '2-remove-confirm');
  await identity.getByTestId('remove-model-cancel').click();
  await expect(identity).toBeVisible();
  // Keyboard: the Remove link is reachable and Enter works.
  await identity.getByTestId('remove-model').focus();
  await page.keyboard.press('Enter');
  await identity.getByTestId('remove-model-confirm').click();
  await expect(page.locator('.library li', { hasText: 'identity_out.opset13' })).toHaveCount(0);
  expect(existsSync(join(app.workspace, 'models', id))).toBe(false);

  // A weights-only file asks for its output activation with nothing preselected.
  await input.setInputFiles(join('test/fixtures/pytorch', 'leaky.safetensors'));
  await expect(page.getByTestId('needs-output')).toBeVisible();
  await expect(page.getByTestId('output-choice')).toHaveValue('');
  await expect(page.getByTestId('output-confirm')).toBeDisabled();
  await page.getByTestId('output-choice').selectOption('identity');
  await expect(page.getByTestId('output-confirm')).toBeEnabled();
  // An optional image shape, both or neither: a wrong one is refused with its numbers (leaky: n = 14),
  // the prompt stays; a right one is recorded with the model and shown in the library.
  await page.getByTestId('image-height').fill('3');
  await expect(page.getByTestId('output-confirm')).toBeDisabled();
  await page.getByTestId('image-width').fill('5');
  await page.getByTestId('output-confirm').click();
  await expect(page.getByTestId('error-banner')).toContainText(
    "imageShape [3, 5] is 3 × 5 = 15 pixels, but the model's output has n = 14 values",
  );
  await page.getByTestId('image-height').fill('2');
  await page.getByTestId('image-width').fill('7');
  await page.getByTestId('output-confirm').click();
  await expect(page.getByTestId('needs-output')).toHaveCount(0);
  await expect(page.locator('.library li', { hasText: 'leaky.safetensors' })).toContainText('image 2 × 7');
  expect(errors).toEqual([]);
});

test("sparsity: a model's result never shows under another model, and the weights skip the page's thread", async ({
  page,
}) => {
  // Record what the page reads into an ArrayBuffer and what it posts to workers.
  await page.addInitScript(() => {
    const w = window as unknown as { __reads: string[]; __posted: number[] };
    w.__reads = [];
    w.__posted = [];
    const read = Response.prototype.arrayBuffer;
    Response.prototype.arrayBuffer = function (this: Response) {
      w.__reads.push(this.url);
      return read.call(this);
    };
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: never[]) {
      const sizes: number[] = [];
      const visit = (v: unknown, depth: number) => {
        if (depth > 6 || v === null || typeof v !== 'object') return;
        if (v instanceof ArrayBuffer) sizes.push(v.byteLength);
        else if (ArrayBuffer.isView(v)) sizes.push(v.buffer.byteLength);
        else for (const x of Object.values(v)) visit(x, depth + 1);
      };
      visit(message, 0);
      w.__posted.push(Math.max(0, ...sizes));
      return post.call(this, message, ...(rest as []));
    } as typeof Worker.prototype.postMessage;
  });
  await page.goto(`${app.url}#/models`);
  await page.getByTestId(`model-${GAUSSIAN}`).getByRole('button').first().click();
  await expect(page.getByTestId('sparsity-model')).toHaveText('Gaussian 100-300-625 (tanh)');
  await page.getByTestId('sparsity-count').fill('64');
  await page.getByTestId('sparsity-run').click();
  await expect(page.getByTestId('sparsity-status')).toHaveText('64 samples, seed 0', { timeout: 30_000 });
  await expect(page.getByTestId('theorem2-table')).toContainText('s₁ ≥ n₀ = 100');

  // Another model: its own name, and none of the first model's result.
  await page.getByTestId(`model-${MNIST}`).getByRole('button').first().click();
  await expect(page.getByTestId('sparsity-model')).toHaveText(/mnist/i);
  await expect(page.getByTestId('theorem2-table')).toHaveCount(0);
  await expect(page.getByTestId('sparsity-status')).toHaveText('');
  // Sample it, and switch away while it runs: the result lands under its own model only.
  await page.getByTestId('sparsity-count').fill('256');
  await page.getByTestId('sparsity-run').click();
  await page.getByTestId(`model-${GAUSSIAN}`).getByRole('button').first().click();
  await expect(page.getByTestId('sparsity-model')).toHaveText('Gaussian 100-300-625 (tanh)');
  await expect(page.getByTestId('theorem2-table')).toContainText('s₁ ≥ n₀ = 100');
  await expect(page.getByTestId('theorem2-table')).not.toContainText('n₀ = 20');
  await page.getByTestId(`model-${MNIST}`).getByRole('button').first().click();
  await expect(page.getByTestId('sparsity-status')).toHaveText('256 samples, seed 0', { timeout: 30_000 });
  await expect(page.getByTestId('theorem2-table')).toContainText('s₁ ≥ n₀ = 20');
  await shot(page, '3-sparsity');

  // The MNIST weights (7.6 MB of JSON) went to the worker as a Blob: never read or transferred by the page.
  const seen = await page.evaluate(() => {
    const w = window as unknown as { __reads: string[]; __posted: number[] };
    return { reads: w.__reads, posted: w.__posted };
  });
  expect(seen.posted.length).toBeGreaterThan(0);
  expect(seen.reads.filter((u) => u.includes('getModelData'))).toEqual([]);
  expect(Math.max(0, ...seen.posted)).toBeLessThan(1024 * 1024);
});

test('your own image: a PNG of a G(z) dropped on the wizard is projected, with residuals and certificates', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A G(z) of the bundled 100 → 300 → 625 tanh model as a 25 × 25 16-bit PNG (tanh's range [−1, 1] → 0 … 65535).
  const bytes = readFileSync('resources/models/gaussian-100-300-625-tanh.json');
  const { generator } = openModel(new Uint8Array(bytes), 'gaussian-100-300-625-tanh.json');
  const y = forward(generator, matrix(100, 1, createRng(5).fillGaussian(new Float64Array(100)))).output.data;
  const png = encodePng({
    width: 25,
    height: 25,
    channels: 1,
    depth: 16,
    data: Uint16Array.from(y, (v) => Math.round(((v + 1) / 2) * 65535)),
  });

  await page.goto(`${app.url}#/wizard/model?model=${encodeURIComponent(GAUSSIAN)}`);
  await expect(page.getByTestId('architecture')).toContainText('ℝ625');
  // Dropped anywhere on the wizard: an image goes to the "Your own image" step, not to the model import.
  const transfer = await page.evaluateHandle((data: number[]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'digit.png', { type: 'image/png' }));
    return dt;
  }, Array.from(png));
  await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
  await expect(page).toHaveURL(/#\/wizard\/project\?model=bundled%3Agaussian/);
  const decoded = page.getByTestId('project-decoded');
  await expect(decoded).toContainText('digit.png (png, sha256');
  await expect(page.getByTestId('project-resize')).toContainText('25×25 gray, 16-bit; not resized');
  await expect(page.getByTestId('project-range')).toContainText('pixels mapped onto [-1, 1]');
  await expect(page.getByTestId('project-input-image')).toBeVisible();
  await shot(page, '4-project-input');

  for (const m of ['gd']) await page.getByTestId(`project-method-${m}`).uncheck();
  await page.getByTestId('project-run').click();
  await expect(page).toHaveURL(/project=\d{8}-/);
  await expect(page.getByTestId('project-summary')).toBeVisible({ timeout: 120_000 });
  const id = new URL(page.url().replace('#/', '')).searchParams.get('project')!;
  const result = JSON.parse(readFileSync(join(app.workspace, 'runs', id, 'result.json'), 'utf8')) as {
    signals: { methods: Record<string, { relativeResidual: number; onRange: boolean }> }[];
  };
  const lp = result.signals[0].methods.lp;
  expect(lp.onRange).toBe(true);
  const row = page.getByTestId('project-fit-lp');
  await expect(row.getByTestId('project-residual')).toHaveText(lp.relativeResidual.toPrecision(2));
  await expect(row.getByTestId('project-certificate')).toContainText('certified unique (Theorem 1)');
  await expect(page.getByTestId('project-fit-lbp').getByTestId('project-certificate')).not.toBeEmpty();
  await expect(page.getByTestId('project-verdict')).toContainText('on the range');
  // The image grid is drawn on a canvas: it shows, and it holds dark pixels (a digit on black), not a blank.
  const grid = page.getByTestId('figure-project-images').locator('canvas');
  await expect(grid).toBeVisible();
  expect(await grid.evaluate(darkPixels)).toBeGreaterThan(1000);
  await shot(page, '5-project-result');

  // The spec records the input as the CLI does: its SHA-256, the decode, the range.
  const spec = JSON.parse(readFileSync(join(app.workspace, 'runs', id, 'spec.json'), 'utf8')) as {
    job: { input: Record<string, unknown> };
  };
  expect(spec.job.input).toMatchObject({
    file: 'digit.png',
    format: 'png',
    image: { width: 25, height: 25, bitDepth: 16 },
    range: { lo: -1, hi: 1 },
  });
  const { createHash } = await import('node:crypto');
  expect(spec.job.input.sha256).toBe(createHash('sha256').update(png).digest('hex'));

  // A reload keeps the run (its id is in the address).
  await page.reload();
  await expect(page.getByTestId('project-summary')).toBeVisible();
  expect(errors).toEqual([]);
});

/** Pixels of a canvas darker than mid-gray. */
function darkPixels(canvas: HTMLCanvasElement): number {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 128 && data[i + 1] < 128) dark++;
  return dark;
}
