/**
 * Benchmarks (not tests): `npm run bench`. Writes bench/results/<name>.json
 * and prints a table. Single-threaded, on whatever machine runs it; the
 * README's performance table quotes a run with its command.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createSparsitySampler } from '../src/core/experiments/sparsity';
import { runToEnd } from '../src/core/experiments/stepper';
import { gemm } from '../src/core/linalg/gemm';
import { matrix } from '../src/core/linalg/matrix';
import { createRng } from '../src/core/linalg/rng';
import { forward } from '../src/core/model/forward';
import { randomGaussianGenerator } from '../src/core/model/random';

interface Entry {
  name: string;
  shape: string;
  seconds: number;
  /** Work per second in the entry's own unit. */
  rate: number;
  unit: string;
}

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

const entries: Entry[] = [];
const rng = createRng(0);

for (const [m, k, n] of [
  [784, 392, 512],
  [392, 128, 512],
]) {
  const a = matrix(m, k, rng.fillGaussian(new Float64Array(m * k)));
  const b = matrix(k, n, rng.fillGaussian(new Float64Array(k * n)));
  const out = matrix(m, n);
  const seconds = best(5, () => gemm(a, b, out));
  entries.push({
    name: 'gemm (reference TS kernel)',
    shape: `${m}×${k}·${k}×${n}`,
    seconds,
    rate: (2 * m * k * n) / seconds / 1e9,
    unit: 'GFLOP/s',
  });
}

const fig2 = randomGaussianGenerator([100, 300, 625], { kind: 'tanh' }, 0);
const z = matrix(100, 512, rng.fillGaussian(new Float64Array(100 * 512)));
const fwd = best(5, () => forward(fig2, z));
entries.push({
  name: 'forward pass',
  shape: '100→300→625, 512 signals',
  seconds: fwd,
  rate: 512 / fwd,
  unit: 'signals/s',
});

const sampling = best(3, () => runToEnd(createSparsitySampler(fig2, { count: 1024, seed: 0 })));
entries.push({
  name: 'sample sparsity',
  shape: '100→300→625, 1024 samples',
  seconds: sampling,
  rate: 1024 / sampling,
  unit: 'samples/s',
});

const pad = (s: string, w: number) => s.padEnd(w);
console.log(`${pad('benchmark', 28)}${pad('shape', 30)}${pad('seconds', 10)}rate`);
for (const e of entries)
  console.log(`${pad(e.name, 28)}${pad(e.shape, 30)}${pad(e.seconds.toFixed(4), 10)}${e.rate.toFixed(2)} ${e.unit}`);

const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const report = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', entries };
writeFileSync(`${dir}/core.json`, JSON.stringify(report, null, 2) + '\n');
console.log(`\nwrote bench/results/core.json`);
