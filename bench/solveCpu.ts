/**
 * `npm run bench -- solve-cpu [--model FILE | random:…] [--method M] [--count N] [--mask M]
 * [--noise SIGMA] [--repeat R]`: one method's solve in this process, timed by the CPU time
 * it used (process.cpuUsage) beside its wall time. On a shared machine the wall clock counts
 * other people's work; CPU time does so far less, so it is the number to compare before and
 * after a change to a solver. Also prints, per phase, the iterations (median, max) and stop
 * reasons — where the time goes. Results in bench/results/solve-cpu.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openModel } from '../src/core/formats/index';
import { matrix } from '../src/core/linalg/matrix';
import { createRng } from '../src/core/linalg/rng';
import { relativeError } from '../src/core/metrics';
import { forward } from '../src/core/model/forward';
import type { Generator as Net } from '../src/core/model/generator';
import { observe, parseMask, type NoiseSpec } from '../src/core/model/observation';
import { parseRandomSpec, randomGaussianGenerator } from '../src/core/model/random';
import { invert } from '../src/core/pursuit/methods';
import { METHOD_IDS, type InversionResult, type MethodId } from '../src/core/pursuit/types';

function loadModel(source: string): Net {
  if (source.startsWith('random:')) {
    const spec = parseRandomSpec(source);
    return randomGaussianGenerator(spec.dims, spec.output, spec.seed);
  }
  return openModel(new Uint8Array(readFileSync(source)), source.replace(/^.*[\\/]/, '')).generator;
}

/** Per phase name: iterations (sorted) and stop reasons over the signals. */
function phaseSummary(result: InversionResult) {
  const phases = new Map<string, { iterations: number[]; stops: Record<string, number> }>();
  for (const s of result.signals)
    for (const p of s.phases) {
      const e = phases.get(p.phase) ?? { iterations: [], stops: {} };
      e.iterations.push(p.iterations);
      e.stops[p.stopReason] = (e.stops[p.stopReason] ?? 0) + 1;
      phases.set(p.phase, e);
    }
  return [...phases].map(([phase, e]) => {
    const its = e.iterations.sort((a, b) => a - b);
    return {
      phase,
      signals: its.length,
      medianIterations: its[its.length >> 1],
      maxIterations: its.at(-1),
      stops: e.stops,
    };
  });
}

export function benchSolveCpu(argv: readonly string[], resultsDir: string, machine: Record<string, unknown>): void {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const source = flag('--model') ?? fileURLToPath(new URL('../resources/models/mnist-fc-gan.onnx', import.meta.url));
  const method = (flag('--method') ?? 'lp') as MethodId;
  if (!METHOD_IDS.includes(method)) throw new RangeError(`--method must be one of ${METHOD_IDS.join(', ')}`);
  const count = Number(flag('--count') ?? 64);
  const repeat = Number(flag('--repeat') ?? 1);
  const sigma = Number(flag('--noise') ?? 0);
  const maskText = flag('--mask') ?? 'none';
  const gen = loadModel(source);
  const n0 = gen.inputDim;
  const z = matrix(n0, count, createRng(0).fillGaussian(new Float64Array(n0 * count)));
  const truth = forward(gen, z);
  const noise: NoiseSpec = sigma > 0 ? { kind: 'gaussian', sigma } : { kind: 'none' };
  const obs = observe(truth.output, noise, parseMask(maskText), 1);
  const runs: { cpuSeconds: number; wallSeconds: number }[] = [];
  let result: InversionResult | undefined;
  for (let r = 0; r < repeat; r++) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    result = invert(gen, obs, method, {}, truth.hidden);
    const used = process.cpuUsage(cpu);
    runs.push({ cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (performance.now() - wall) / 1000 });
  }
  const final = result!;
  let recovered = 0;
  const snr: number[] = [];
  for (let j = 0; j < count; j++) {
    const a = Array.from({ length: n0 }, (_, k) => final.z.data[k * count + j]);
    const b = Array.from({ length: n0 }, (_, k) => z.data[k * count + j]);
    const e = relativeError(a, b);
    if (e < 1e-3) recovered++;
    snr.push(-20 * Math.log10(Math.max(e, 1e-20)));
  }
  const medianSnr = snr.sort((x, y) => x - y)[count >> 1];
  const phases = phaseSummary(final);
  const label = `${method} on ${source.replace(/^.*[\\/]/, '')}, ${count} signals, mask ${maskText}, σ = ${sigma}`;
  console.log(label);
  for (const r of runs) console.log(`  CPU ${r.cpuSeconds.toFixed(2)} s, wall ${r.wallSeconds.toFixed(2)} s`);
  console.log(`  recovered ${recovered} of ${count} (‖ẑ − z‖/‖z‖ < 1e-3), median SNR(z) ${medianSnr.toFixed(2)} dB`);
  for (const p of phases)
    console.log(
      `  ${p.phase.padEnd(48)} iterations median ${p.medianIterations}, max ${p.maxIterations}; ${JSON.stringify(p.stops)}`,
    );
  writeFileSync(
    `${resultsDir}solve-cpu.json`,
    JSON.stringify(
      { ...machine, model: source, method, count, mask: maskText, sigma, runs, recovered, medianSnr, phases },
      null,
      2,
    ) + '\n',
  );
}
