/**
 * One point of `npm run bench -- scale` (bench/scale.ts), run in a fresh
 * child process so that its peak resident memory belongs to this point
 * alone: one model, one method, one signal count, on one thread (no worker
 * pool: the pool's per-worker copies are measured by the CLI run of the
 * scale bench). Prints one JSON line on stdout (ScalePoint).
 *
 *   tsx bench/scalePoint.ts '{"model":"random:64,256,1024,1024:tanh","method":"lp","count":4}'
 *
 * The model is a `random:` spec or a path to a model file.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { invertExperiment, type InvertReport } from '../src/core/experiments/invert';
import { openModel } from '../src/core/formats/index';
import { parseRandomSpec, randomGaussianGenerator } from '../src/core/model/random';
import { prepare } from '../src/core/pursuit/prepared';
import type { MethodId } from '../src/core/pursuit/types';

export interface ScalePointSpec {
  readonly model: string;
  readonly method: MethodId;
  readonly count: number;
}

export interface ScalePoint extends ScalePointSpec {
  readonly dims: readonly number[];
  /** Wall seconds inside the child: drawing/reading the weights, prepare() (Wᵀ, WᵀW, λ_max per layer), the inversion, and their sum. */
  readonly seconds: {
    readonly model: number;
    readonly prepare: number;
    readonly invert: number;
    readonly total: number;
  };
  /** Peak resident set of the whole process (getrusage), and the V8 heap and ArrayBuffer peaks sampled after every signal. */
  readonly memoryMB: {
    readonly maxRss: number;
    readonly rssBeforeModel: number;
    readonly afterPrepareArrayBuffers: number;
    readonly peakHeapUsed: number;
    readonly peakArrayBuffers: number;
  };
  readonly successRate: number;
  readonly stopReasons: Record<string, number>;
}

const MB = 1e6;

/** A `random:` spec drawn as the CLI draws it, or a model file. */
function loadModel(model: string) {
  if (model.startsWith('random:')) {
    const spec = parseRandomSpec(model);
    return randomGaussianGenerator(spec.dims, spec.output, spec.seed);
  }
  return openModel(new Uint8Array(readFileSync(model)), basename(model)).generator;
}

export function runScalePoint(spec: ScalePointSpec): ScalePoint {
  const rssBeforeModel = process.memoryUsage().rss / MB;
  const t0 = performance.now();
  const gen = loadModel(spec.model);
  const t1 = performance.now();
  // prepare() is cached per generator: timed here on its own, the inversion below reuses it.
  prepare(gen);
  const t2 = performance.now();
  const afterPrepare = process.memoryUsage();
  let peakHeapUsed = afterPrepare.heapUsed;
  let peakArrayBuffers = afterPrepare.arrayBuffers;
  const steps = invertExperiment(
    gen,
    { methods: [spec.method], count: spec.count, seed: 0, mask: { kind: 'none' }, noise: { kind: 'none' } },
    () => performance.now(),
  );
  let next = steps.next();
  while (!next.done) {
    // The solvers yield per signal: the only points where this single thread can look at its own memory.
    const m = process.memoryUsage();
    peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
    next = steps.next();
  }
  const t3 = performance.now();
  const report: InvertReport = next.value;
  const outcome = report.methods[spec.method]!;
  return {
    ...spec,
    dims: [gen.inputDim, ...gen.layers.map((l) => l.W.rows)],
    seconds: {
      model: (t1 - t0) / 1000,
      prepare: (t2 - t1) / 1000,
      invert: (t3 - t2) / 1000,
      total: (t3 - t0) / 1000,
    },
    memoryMB: {
      // maxRSS is in kilobytes (KiB on Linux).
      maxRss: (process.resourceUsage().maxRSS * 1024) / MB,
      rssBeforeModel,
      afterPrepareArrayBuffers: afterPrepare.arrayBuffers / MB,
      peakHeapUsed: peakHeapUsed / MB,
      peakArrayBuffers: peakArrayBuffers / MB,
    },
    successRate: outcome.summary.successRate,
    stopReasons: outcome.summary.stopReasons as Record<string, number>,
  };
}

if (process.argv[1]?.endsWith('scalePoint.ts')) {
  const spec = JSON.parse(process.argv[2] ?? '') as ScalePointSpec;
  console.log(JSON.stringify(runScalePoint(spec)));
}
