/**
 * Benchmarks (not tests): `npm run bench`. Single-threaded, on whatever
 * machine runs it. Writes bench/results/kernels.json and
 * bench/results/methods.json and prints both tables; the README's
 * performance table quotes a run with this command.
 *
 *   npm run bench                 # everything
 *   npm run bench -- kernels      # only the product kernels
 *   npm run bench -- methods      # only the inversion methods
 *   npm run bench -- theory       # only the invertibility check
 *   npm run bench -- saturation   # the saturating tanh fixture against the bundled demo
 *   npm run bench -- fig2 [--count N] [--n0 LIST] [--n1 LIST] [--workers LIST]
 *                                 # the Fig. 2 preset through the CLI, timed per worker count (bench/fig2.ts)
 *   npm run bench -- main-thread [--count N] [--method M]
 *                                 # the renderer's longest main-thread task during a job (bench/mainThread.ts)
 *   npm run bench -- peers [--count N] [--iterations N] [--seed S] [--model FILE]
 *                                 # ours against PyTorch peers (bench/peers.ts, bench/peers/*.py), default 512 signals
 *   npm run bench -- targets [--count N] [--cases a,b,…] [--workers N] [--gd-count N]
 *                                 # issue 12's speed targets, target against measured (bench/targets.ts)
 *   npm run bench -- solve-cpu [--model FILE|random:…] [--method M] [--count N] [--mask M] [--noise σ] [--repeat R]
 *                                 # one solve's CPU time and per-phase iterations, in this process (bench/solveCpu.ts)
 *   npm run bench -- gd-schedules [--count N] [--iterations N]
 *                                 # GD's step schedules, equal iterations, MNIST demo (bench/schedules.ts), default 64
 *   npm run bench -- scale [--quick] [--repeats N] [--parts signals,widths,cli]
 *                                 # time and peak memory against signals and widths, a process per point (bench/scale.ts)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createCheck } from '../src/core/experiments/check';
import { createSparsitySampler } from '../src/core/experiments/sparsity';
import { openModel } from '../src/core/formats/index';
import { runToEnd } from '../src/core/experiments/stepper';
import { invertExperiment, type InvertReport } from '../src/core/experiments/invert';
import { blockedKernel } from '../src/core/linalg/blockedKernel';
import { matrix } from '../src/core/linalg/matrix';
import { productKernel } from '../src/core/linalg/gemm';
import { referenceKernel } from '../src/core/linalg/products';
import { createWasmKernel, wasmUnavailableReason } from '../src/core/linalg/wasmKernel';
import { createRng } from '../src/core/linalg/rng';
import { forward } from '../src/core/model/forward';
import { randomGaussianGenerator } from '../src/core/model/random';
import type { MethodId } from '../src/core/pursuit/types';
import { benchFig2 } from './fig2';
import { benchMainThread } from './mainThread';
import { benchPeers } from './peers';
import { benchScale } from './scale';
import { benchSchedules } from './schedules';
import { benchSolveCpu } from './solveCpu';
import { benchTargets } from './targets';

const only = process.argv[2];
const wasmKernel = createWasmKernel() ?? blockedKernel;
if (wasmKernel === blockedKernel) console.log(`WebAssembly kernel unavailable: ${wasmUnavailableReason}`);
console.log(`solvers run on the ${productKernel().name} product kernel\n`);
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  productKernel: productKernel().name,
};

/** Best of `repeats` timed runs after one warm-up (the minimum is the least noisy estimate). */
function best(repeats: number, run: () => void): number {
  run();
  let min = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  rows.forEach((r) => console.log(line(r)));
  console.log();
}

if (only === undefined || only === 'kernels') {
  const rng = createRng(0);
  const entries: { kernel: string; shape: string; seconds: number; gflops: number }[] = [];
  for (const [m, k, n] of [
    [784, 392, 512],
    [392, 128, 512],
    [625, 300, 512],
  ]) {
    const a = matrix(m, k, rng.fillGaussian(new Float64Array(m * k)));
    const b = matrix(k, n, rng.fillGaussian(new Float64Array(k * n)));
    const out = matrix(m, n);
    for (const kernel of [referenceKernel, blockedKernel, wasmKernel]) {
      const seconds = best(5, () => kernel.gemm(a, b, out));
      entries.push({
        kernel: kernel.name,
        shape: `${m}×${k}·${k}×${n}`,
        seconds,
        gflops: (2 * m * k * n) / seconds / 1e9,
      });
    }
  }
  const fig2 = randomGaussianGenerator([100, 300, 625], { kind: 'tanh' }, 0);
  const z = matrix(100, 512, rng.fillGaussian(new Float64Array(100 * 512)));
  const fwd = best(5, () => forward(fig2, z));
  const sampling = best(3, () => runToEnd(createSparsitySampler(fig2, { count: 1024, seed: 0 })));
  table(
    ['kernel', 'shape', 'seconds', 'GFLOP/s'],
    entries.map((e) => [e.kernel, e.shape, e.seconds.toFixed(4), e.gflops.toFixed(2)]),
  );
  console.log(
    `forward pass 100→300→625, 512 signals: ${(fwd * 1000).toFixed(1)} ms; sample sparsity, 1024 samples: ${(sampling * 1000).toFixed(0)} ms\n`,
  );
  writeFileSync(
    `${resultsDir}kernels.json`,
    JSON.stringify({ ...machine, kernels: entries, forwardSeconds: fwd, sparsity1024Seconds: sampling }, null, 2) +
      '\n',
  );
}

if (only === undefined || only === 'methods') {
  const model = 'random:100,300,625:tanh';
  const gen = randomGaussianGenerator([100, 300, 625], { kind: 'tanh' }, 0);
  // Gradient descent runs 10,000 iterations per signal; on all 512 signals it would take most of an hour here.
  const plan: { methods: MethodId[]; count: number }[] = [
    { methods: ['lp', 'lbp', 'oracle', 'oracle-e2e'], count: 512 },
    { methods: ['gd', 'adam'], count: 32 },
  ];
  const rows: string[][] = [];
  const results: Record<string, unknown> = {};
  for (const { methods, count } of plan) {
    const steps = invertExperiment(
      gen,
      { methods, count, seed: 0, mask: { kind: 'none' }, noise: { kind: 'none' } },
      () => performance.now(),
    );
    let next = steps.next();
    while (!next.done) next = steps.next();
    const report: InvertReport = next.value;
    for (const m of methods) {
      const r = report.methods[m]!;
      results[m] = { count, seconds: r.seconds, summary: r.summary };
      rows.push([
        m,
        String(count),
        r.seconds.toFixed(2),
        (count / r.seconds).toFixed(1),
        r.summary.medianSnrZ >= 400 ? '≥400' : r.summary.medianSnrZ.toFixed(1),
        `${(100 * r.summary.successRate).toFixed(1)}%`,
      ]);
    }
  }
  console.log(`${model}, clean signals, one thread:`);
  table(['method', 'signals', 'seconds', 'signals/s', 'median SNR(z) dB', 'success'], rows);
  writeFileSync(`${resultsDir}methods.json`, JSON.stringify({ ...machine, model, methods: results }, null, 2) + '\n');
}
if (only === undefined || only === 'theory') {
  // `pursuit-lab check` on the trained demo: Theorems 1–3 on 256 sampled supports.
  const file = fileURLToPath(new URL('../resources/models/mnist-fc-gan.onnx', import.meta.url));
  const { generator } = openModel(new Uint8Array(readFileSync(file)), 'mnist-fc-gan.onnx');
  const t0 = performance.now();
  const report = runToEnd(createCheck(generator, { samples: 256, seed: 0 }));
  const seconds = (performance.now() - t0) / 1000;
  console.log(`check, mnist-fc-gan.onnx (20→128→392→784), 256 samples: ${seconds.toFixed(2)} s`);
  console.log(
    `  Theorem 1 ${report.theorems.theorem1.passFraction}, Theorem 2 ${report.theorems.theorem2.passFraction}, Theorem 3 ${report.theorems.theorem3.passFraction}\n`,
  );
  writeFileSync(
    `${resultsDir}theory.json`,
    JSON.stringify(
      { ...machine, model: 'mnist-fc-gan.onnx', samples: 256, seconds, theorems: report.theorems },
      null,
      2,
    ) + '\n',
  );
}
if (only === undefined || only === 'saturation') {
  // A saturating tanh generator (a fifth of its pixels are one-sided bounds) against the bundled
  // PLU demo of the same architecture: per-signal time and success on the same clean signals.
  const models = {
    'mnist-tanh-gan.onnx': '../test/fixtures/pytorch/mnist-tanh-gan.onnx',
    'mnist-fc-gan.onnx': '../resources/models/mnist-fc-gan.onnx',
  };
  const methods: MethodId[] = ['lp', 'lbp', 'oracle', 'oracle-e2e'];
  const count = 64;
  const perSignal: Record<string, Record<string, { seconds: number; successRate: number }>> = {};
  for (const [name, path] of Object.entries(models)) {
    const { generator } = openModel(new Uint8Array(readFileSync(fileURLToPath(new URL(path, import.meta.url)))), name);
    const steps = invertExperiment(
      generator,
      { methods, count, seed: 0, mask: { kind: 'none' }, noise: { kind: 'none' } },
      () => performance.now(),
    );
    let next = steps.next();
    while (!next.done) next = steps.next();
    perSignal[name] = Object.fromEntries(
      methods.map((m) => {
        const r = next.value.methods[m]!;
        return [m, { seconds: r.seconds / count, successRate: r.summary.successRate }];
      }),
    );
  }
  const [tanh, demo] = [perSignal['mnist-tanh-gan.onnx'], perSignal['mnist-fc-gan.onnx']];
  console.log(`saturating tanh fixture against the bundled demo, ${count} clean signals each, one thread:`);
  table(
    ['method', 'tanh ms/signal', 'success', 'demo ms/signal', 'success', 'ratio'],
    methods.map((m) => [
      m,
      (1000 * tanh[m].seconds).toFixed(1),
      `${(100 * tanh[m].successRate).toFixed(1)}%`,
      (1000 * demo[m].seconds).toFixed(1),
      `${(100 * demo[m].successRate).toFixed(1)}%`,
      (tanh[m].seconds / demo[m].seconds).toFixed(2),
    ]),
  );
  writeFileSync(`${resultsDir}saturation.json`, JSON.stringify({ ...machine, count, perSignal }, null, 2) + '\n');
}
// Not part of `npm run bench` (nor are main-thread and peers): the full preset takes as long as the sweep itself (twice).
if (only === 'fig2') benchFig2(process.argv.slice(3), resultsDir, machine);
if (only === 'main-thread') await benchMainThread(process.argv.slice(3), resultsDir, machine);
if (only === 'peers') benchPeers(process.argv.slice(3), resultsDir, machine);
if (only === 'gd-schedules') benchSchedules(process.argv.slice(3), resultsDir, machine);
if (only === 'targets') await benchTargets(process.argv.slice(3), resultsDir, machine);
if (only === 'solve-cpu') benchSolveCpu(process.argv.slice(3), resultsDir, machine);
if (only === 'scale') benchScale(process.argv.slice(3), resultsDir, machine);
console.log(`results in bench/results/`);
