import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startBrowserMode, type BrowserModeApp } from './browserMode';

let app: BrowserModeApp;
test.beforeAll(async () => {
  app = await startBrowserMode();
});
test.afterAll(async () => {
  await app?.stop();
});

test('shows the default model and samples its sparsity in a worker', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.url);

  // The trained demo is listed first and selected; its architecture (BatchNorm folded) is shown.
  await expect(page.getByTestId('model-bundled:mnist-fc-gan.onnx')).toBeVisible();
  await expect(page.getByTestId('model-bundled:gaussian-100-300-625-tanh.json')).toBeVisible();
  const arch = page.getByTestId('architecture');
  await expect(arch.getByTestId('dims')).toContainText('ℝ20');
  await expect(arch.getByTestId('dims')).toContainText('ℝ128');
  await expect(arch.getByTestId('dims')).toContainText('ℝ392');
  await expect(arch.getByTestId('dims')).toContainText('ℝ784');
  await expect(arch).toContainText('plu(α=0.1, c=1)');
  await expect(arch).toContainText('onnx');
  await expect(arch.getByTestId('parameters')).toHaveText('361,368');
  // The analysis worker compiled the WebAssembly SIMD kernel: the page's CSP allows it.
  await expect(page.getByTestId('product-kernel')).toHaveText('products: wasm-simd');

  // Sample sparsity with a small N; the chart and Theorem 2's table appear.
  await page.getByTestId('sparsity-count').fill('96');
  await page.getByTestId('sparsity-seed').fill('7');
  await page.getByTestId('sparsity-run').click();
  await expect(page.getByTestId('sparsity-status')).toHaveText('96 samples, seed 7', { timeout: 30_000 });
  const chart = page.getByTestId('sparsity-chart');
  await expect(chart.locator('svg')).toBeVisible();
  expect(await chart.locator('svg path').count()).toBeGreaterThan(10);
  await expect(chart).toContainText('n = 784');
  await expect(page.getByTestId('theorem2-table')).toContainText('s₁ ≥ n₀ = 20');
  await expect(page.getByTestId('theorem2-table')).toContainText('s₁ < s₂');
  await expect(page.getByTestId('theorem2-table')).toContainText('s₂ < n = 784');
  await page.screenshot({ path: 'test-results/e2e-sparsity.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('cancels a long sampling run and keeps the partial result', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('architecture')).toBeVisible();
  await page.getByTestId('sparsity-count').fill('1000000');
  await page.getByTestId('sparsity-run').click();
  await expect(page.getByTestId('sparsity-progress')).toBeVisible();
  // Once samples are flowing, cancel stops the worker between steps and keeps what it drew.
  await expect(page.getByTestId('sparsity-status')).toHaveText(/Sampling… [1-9]/, { timeout: 30_000 });
  await page.getByTestId('sparsity-cancel').click();
  await expect(page.getByTestId('sparsity-status')).toContainText('Cancelled after', { timeout: 10_000 });
  await expect(page.getByTestId('sparsity-run')).toBeEnabled();
});

test('a corrupt model file shows its error to the user', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('architecture')).toBeVisible();
  await page.getByTestId('model-file-input').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      '{"format": "pursuit-lab/generator", "version": 1, "inputDim": 2, "output": "tanh", "layers": [{"W": [[1, 2]], "b": [0, 1]}, {"W": [[1]], "b": [0]}]}',
    ),
  });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('Cannot open this model');
  await expect(banner).toContainText('layers[0].b has 2 entries but layers[0].W has 1 rows');
});

test('opens a model file through the file picker', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('architecture')).toBeVisible();
  const model = {
    format: 'pursuit-lab/generator',
    version: 1,
    name: 'Tiny PLU',
    inputDim: 2,
    output: { kind: 'plu', alpha: 0.1, c: 1 },
    layers: [
      {
        W: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        b: [0, 0, 0],
      },
      {
        W: [
          [1, 2, 3],
          [0, 1, 0],
        ],
        b: [0.5, -0.5],
      },
    ],
  };
  await page
    .getByTestId('model-file-input')
    .setInputFiles({ name: 'tiny.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(model)) });
  await expect(page.getByTestId('architecture')).toContainText('Tiny PLU');
  await expect(page.getByTestId('architecture')).toContainText('plu(α=0.1, c=1)');
  await expect(page.getByTestId('parameters')).toHaveText('17');
});

test('opens a model dropped onto the window', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('architecture')).toBeVisible();
  const text = JSON.stringify({
    format: 'pursuit-lab/generator',
    version: 1,
    name: 'Dropped sigmoid',
    inputDim: 1,
    output: 'sigmoid',
    layers: [
      { W: [[1], [-1]], b: [0, 0] },
      { W: [[1, 1]], b: [0] },
    ],
  });
  const dataTransfer = await page.evaluateHandle((json) => {
    const dt = new DataTransfer();
    dt.items.add(new File([json], 'dropped.json', { type: 'application/json' }));
    return dt;
  }, text);
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await expect(page.getByTestId('architecture')).toContainText('Dropped sigmoid');
  await expect(page.getByTestId('architecture')).toContainText('sigmoid');
});

test('without the token the page says how to get in', async ({ page }) => {
  await page.goto(app.url.replace(/\?token=.*/, ''));
  await expect(page.getByRole('alert')).toContainText('needs the access token');
});

test('opens an ONNX export, and a weights-only file after asking for its output activation', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('architecture')).toBeVisible();
  const fixture = (name: string) => readFileSync(join('test/fixtures/pytorch', name));

  await page.getByTestId('model-file-input').setInputFiles({
    name: 'bn_plu.opset17.onnx',
    mimeType: 'application/octet-stream',
    buffer: fixture('bn_plu.opset17.onnx'),
  });
  await expect(page.getByTestId('dims')).toContainText('ℝ30');
  await expect(page.getByTestId('architecture')).toContainText('plu(α=0.1, c=1)');
  await expect(page.getByTestId('architecture')).toContainText('onnx');

  // A weights-only file with its sidecar opens at once …
  await page.getByTestId('model-file-input').setInputFiles([
    { name: 'leaky.npz', mimeType: 'application/octet-stream', buffer: fixture('leaky.npz') },
    { name: 'leaky.arch.json', mimeType: 'application/json', buffer: fixture('leaky.arch.json') },
  ]);
  await expect(page.getByTestId('architecture')).toContainText('leaky_relu(0.2)');

  // … without one, the app asks for the output activation.
  await page.getByTestId('model-file-input').setInputFiles({
    name: 'tanh_plain.safetensors',
    mimeType: 'application/octet-stream',
    buffer: fixture('tanh_plain.safetensors'),
  });
  await expect(page.getByTestId('needs-output')).toContainText('holds only weights');
  await page.getByTestId('output-choice').selectOption('tanh');
  await page.getByTestId('output-confirm').click();
  await expect(page.getByTestId('needs-output')).toHaveCount(0);
  await expect(page.getByTestId('dims')).toContainText('ℝ16');
  await expect(page.getByTestId('architecture')).toContainText('tanh');
});

test('a corrupt ONNX file shows its error, and the app keeps working', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('architecture')).toBeVisible();
  const good = readFileSync('test/fixtures/pytorch/tanh_plain.opset13.onnx');
  await page.getByTestId('model-file-input').setInputFiles({
    name: 'broken.onnx',
    mimeType: 'application/octet-stream',
    buffer: good.subarray(0, good.length - 100),
  });
  await expect(page.getByTestId('error-banner')).toContainText('Cannot open this model');
  await expect(page.getByTestId('error-banner')).toContainText('ONNX');
  await page.getByTestId('model-file-input').setInputFiles({
    name: 'bad_conv.onnx',
    mimeType: 'application/octet-stream',
    buffer: readFileSync('test/fixtures/pytorch/bad_conv.onnx'),
  });
  await expect(page.getByTestId('error-banner')).toContainText('(Conv) is not supported');
  await expect(page.getByTestId('architecture')).toBeVisible();
});
