/**
 * `npm run bench -- gd-schedules [--count N] [--iterations N] [--seed S]`:
 * gradient descent's step schedules with equal iterations on the bundled
 * MNIST generator (clean signals, one thread): the paper's (0.1 halved every
 * 2,500) against the geometric decay 0.1 → 1e-3 a PyTorch user writes with
 * ExponentialLR, for momentum and Adam. Writes bench/results/gd-schedules.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invertExperiment } from '../src/core/experiments/invert';
import { openModel } from '../src/core/formats/index';
import type { GradientDescentOptions } from '../src/core/pursuit/gradientDescent';

export function benchSchedules(argv: readonly string[], resultsDir: string, machine: Record<string, unknown>): void {
  const get = (name: string, d: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const count = get('--count', 64);
  const maxIterations = get('--iterations', 10000);
  const seed = get('--seed', 0);
  const file = fileURLToPath(new URL('../resources/models/mnist-fc-gan.onnx', import.meta.url));
  const { generator } = openModel(new Uint8Array(readFileSync(file)), 'mnist-fc-gan.onnx');
  const runs: { method: 'gd' | 'adam'; label: string; options: GradientDescentOptions }[] = [
    { method: 'gd', label: 'momentum, step 0.1 halved every 2,500', options: { schedule: 'step' } },
    { method: 'gd', label: 'momentum, geometric 0.1 → 1e-3', options: { schedule: 'geometric' } },
    { method: 'adam', label: 'Adam, step 0.01 halved every 2,500', options: { schedule: 'step' } },
    { method: 'adam', label: 'Adam, geometric 0.01 → 1e-4', options: { schedule: 'geometric' } },
  ];
  const results = [];
  for (const r of runs) {
    const options = { ...r.options, maxIterations };
    const steps = invertExperiment(
      generator,
      {
        methods: [r.method],
        count,
        seed,
        mask: { kind: 'none' },
        noise: { kind: 'none' },
        options: { [r.method]: options },
      },
      () => performance.now(),
    );
    let next = steps.next();
    while (!next.done) next = steps.next();
    const o = next.value.methods[r.method]!;
    results.push({ method: r.method, label: r.label, options, seconds: o.seconds, summary: o.summary });
    console.log(
      `${r.label.padEnd(40)} ${count} signals, ${maxIterations} iterations: ${o.seconds.toFixed(1)} s, ` +
        `${(100 * o.summary.successRate).toFixed(1)}% recovered, median SNR(z) ${o.summary.medianSnrZ.toFixed(1)} dB`,
    );
  }
  console.log();
  writeFileSync(
    join(resultsDir, 'gd-schedules.json'),
    JSON.stringify({ ...machine, model: 'mnist-fc-gan.onnx', count, seed, maxIterations, results }, null, 2) + '\n',
  );
}
