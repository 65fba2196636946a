import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

const { version } = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string };
const define = { __APP_VERSION__: JSON.stringify(version) };

export default defineConfig({
  main: {
    define,
    build: {
      rollupOptions: {
        input: {
          // Electron main process.
          index: resolve(__dirname, 'src/main/index.ts'),
          // Browser mode: the same services behind the HTTP bridge.
          web: resolve(__dirname, 'src/main/web.ts'),
          // Node worker_threads entry of the analysis worker.
          'analysis-worker': resolve(__dirname, 'src/workers/analysis.node-worker.ts'),
          // The model parser's worker_threads entry: every model is parsed there, within limits
          // (src/main/services/modelParser.ts looks for it beside index.js and web.js).
          'model-parser': resolve(__dirname, 'src/workers/modelParse.node-worker.ts'),
          // The job engine's worker_threads entry (src/main/services/jobs/pool.ts looks for it
          // beside the entry or chunk it was bundled into).
          'job-worker': resolve(__dirname, 'src/workers/jobs.node-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A CommonJS preload can run with the sandbox on (an ESM one cannot).
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    base: './',
    define,
    plugins: [vue()],
    worker: { format: 'es' },
    build: {
      // electron-vite leaves the renderer unminified; ECharts alone is then 1.5 MB. PURSUIT_LAB_NO_MINIFY=1
      // keeps the names for a profile (npm run bench -- main-thread --profile).
      minify: process.env.PURSUIT_LAB_NO_MINIFY !== '1',
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
});
