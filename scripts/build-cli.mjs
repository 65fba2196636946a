#!/usr/bin/env node
// Builds the `pursuit-lab` command line into out/cli/ with esbuild, so that bin/pursuit-lab.mjs
// starts plain JavaScript instead of compiling TypeScript through tsx on every call.
//
//   out/cli/index.js          the CLI (src/cli/index.ts); each command is a lazily loaded chunk
//   out/cli/model-parser.js   the model parser's worker_threads entry
//   out/cli/job-worker.js     the job engine's worker_threads entry
//   out/cli/chunks/           code shared between them, split by esbuild
//   out/cli/stamp.json        every source file of the build with its mtime: the bin uses the
//                             build only while none of them has changed
//   out/cli/meta.json         esbuild's metafile: which sources and packages are in which file
//
// The services find their workers beside the file they were bundled into, or one level up
// from a chunk (src/main/services/modelParser.ts, jobs/pool.ts): the same names as in
// electron-vite's out/main/. Run by `npm run build:cli`, `npm run build` and npm's `prepare`.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// esbuild comes with vite and tsx (devDependencies). `prepare` passes --if-possible: an install
// without them (`npm ci --omit=dev`) still succeeds, and the bin then runs the source.
let build;
try {
  ({ build } = await import('esbuild'));
} catch (e) {
  if (!process.argv.includes('--if-possible')) throw e;
  console.warn(`pursuit-lab: CLI not built (esbuild not found: ${e.message.split('\n')[0]})`);
  process.exit(0);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, 'out/cli');
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    index: 'src/cli/index.ts',
    'model-parser': 'src/workers/modelParse.node-worker.ts',
    'job-worker': 'src/workers/jobs.node-worker.ts',
  },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Stack traces point into src/ (the bin enables source maps before loading the build). Mappings
  // only: Node parses each chunk's map as the chunk loads, and the sources' text tripled their size.
  sourcemap: 'linked',
  sourcesContent: false,
  // resvg is a native addon (a .node file per platform, found at run time): it stays a package.
  // highs (the lei method's LP solver) finds its highs.wasm beside its own module file: it stays one too.
  external: ['@resvg/resvg-js', 'highs'],
  // Bundled CommonJS (protobufjs, echarts' dependencies) may call require(): give ESM one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  define: { __APP_VERSION__: JSON.stringify(version) },
  metafile: true,
  logLevel: 'warning',
});

// The stamp: the project's own sources that went into the build (not node_modules: `npm install`
// and `npm ci` rebuild through `prepare`), each with its mtime when the build began to read it.
const inputs = {};
for (const file of Object.keys(result.metafile.inputs)) {
  if (file.includes('node_modules/')) continue;
  inputs[file] = statSync(resolve(root, file)).mtimeMs;
}
// The version comes from package.json, the build's shape from this script.
for (const file of ['package.json', 'scripts/build-cli.mjs']) inputs[file] = statSync(resolve(root, file)).mtimeMs;
for (const file of Object.keys(inputs)) {
  // A file saved while esbuild read it: the stamp must not claim the newer version was built.
  if (statSync(resolve(root, file)).mtimeMs > started) inputs[file] = 0;
}
// What went into which output file, for tests (and esbuild's bundle analyser).
writeFileSync(resolve(outdir, 'meta.json'), JSON.stringify(result.metafile));
writeFileSync(
  resolve(outdir, 'stamp.json'),
  `${JSON.stringify({ version, builtAt: new Date(started).toISOString(), inputs }, null, 1)}\n`,
);

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `pursuit-lab CLI built into ${relative(root, outdir)}/ in ${Date.now() - started} ms ` +
    `(${Object.keys(inputs).length} sources, ${(bytes / 1e6).toFixed(1)} MB of JavaScript)`,
);
