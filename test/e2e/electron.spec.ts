import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary } from '../../scripts/electron-binary.mjs';

const binary = electronBinary();
if (binary.path === undefined) {
  console.log(
    `Electron e2e skipped: ${binary.reason}. Run \`node node_modules/electron/install.js\` (Electron's own installer) where GitHub is reachable.`,
  );
}

test.describe('Electron app', () => {
  test.skip(binary.path === undefined, binary.path === undefined ? binary.reason : '');

  test('opens a sandboxed window that shows the default model', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'pursuit-lab-electron-'));
    const app = await electron.launch({ executablePath: binary.path, args: [resolve('.'), '--workspace', workspace] });
    try {
      const page = await app.firstWindow();
      await expect(page.getByTestId('dims')).toContainText('ℝ625');
      // The preload gave the page its API and nothing else.
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(
        await page.evaluate(() => typeof (window as unknown as { api?: { listModels?: unknown } }).api?.listModels),
      ).toBe('function');
      await page.screenshot({ path: 'test-results/e2e-electron.png' });
    } finally {
      await app.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
