// An invert job's signals are drawn one by one (signalDraws.ts), so its
// report is the same bits whatever the chunk size (and so whatever the number
// of workers: a worker computes chunks). Every source of randomness is
// exercised: latents, noise, a random mask, GD's starts (one and several),
// gd-clip's redraws, and the grid protocols that choose a parameter per signal.
import { describe, expect, it } from 'vitest';
import { invertExperiment, type InvertReport, type InvertSpec } from '../../../../src/core/experiments/invert';
import {
  chunkCount,
  decodeChunk,
  encodeChunk,
  mergeChunks,
  normalizeJobSpec,
  runChunk,
} from '../../../../src/core/experiments/jobs';
import { signalSeed, signalwiseSteps } from '../../../../src/core/experiments/signalDraws';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { invert } from '../../../../src/core/pursuit/methods';
import { selectSignals } from '../../../../src/core/pursuit/protocol';
import type { InversionResult } from '../../../../src/core/pursuit/types';

// A 64-pixel "image" output, so the reports keep example images too.
const gen = randomGaussianGenerator([6, 30, 64], { kind: 'tanh' }, 1);
const clock = () => 0;

const raw = {
  kind: 'invert',
  model: 'random:6,30,64:tanh',
  methods: ['lp', 'lbp', 'oracle', 'oracle-e2e', 'gd', 'adam', 'gd-clip', 'hybrid'],
  count: 7,
  seed: 11,
  mask: 'random:0.2',
  noise: 0.001,
  certify: true,
  options: {
    lbp: { lambdaGrid: [1e-5, 0] },
    gd: { maxIterations: 150, stepGrid: [0.1, 1] },
    adam: { maxIterations: 100, restarts: 2 },
    // A clip range the iterations reach, so components are redrawn (from each signal's own seed).
    gdClip: { maxIterations: 150, clipRange: 1 },
    // Few GD iterations, so some signals stay unsettled and the random starts run.
    hybrid: { gd: { maxIterations: 60 }, starts: 2 },
  },
};

/** A report as text without its timings, the one part that may differ between runs. */
const comparable = (report: object) => JSON.stringify(report, (k, v: unknown) => (k === 'seconds' ? undefined : v));

/** The job's chunks computed through the chunk file format (as workers hand them over) and merged. */
function jobReport(chunkSize: number, changes: object = {}): InvertReport {
  const spec = normalizeJobSpec({ ...raw, chunkSize, ...changes });
  const chunks = Array.from({ length: chunkCount(spec) }, (_, k) =>
    decodeChunk(encodeChunk(runChunk(gen, spec, k, clock))),
  );
  return mergeChunks(gen, spec, chunks) as InvertReport;
}

describe('invert jobs drawn by signal', () => {
  // Computed while the tests are collected, outside the per-test timeout (a shared machine is slow).
  const reports = [1, 2, 3, 7].map((size) => jobReport(size));
  const onePass = (() => {
    const spec = { ...normalizeJobSpec(raw), convergence: true, examples: true } as InvertSpec;
    const steps = invertExperiment(gen, spec, clock);
    let next = steps.next();
    while (!next.done) next = steps.next();
    return next.value;
  })();
  const byChunk = { draws: 'chunk', methods: ['oracle'] };
  const chunkDrawn = [2, 3].map((size) => jobReport(size, byChunk));

  it('give bit-identical reports whatever the chunk size: ẑ, layers, stops, iterations, residuals, choices, summaries', () => {
    const base = comparable(reports[0]);
    for (const r of reports.slice(1)) expect(comparable(r)).toBe(base);
    const r = reports[0];
    expect(r.settings.draws).toBe('signal');
    for (const method of raw.methods) expect(r.methods[method as 'lp']!.signals).toHaveLength(7);
    // The grid protocols chose per signal, and a random mask hid each signal's own pixels.
    expect(r.methods.lbp!.signals.every((s) => s.choice?.parameter === 'lambda')).toBe(true);
    expect(r.methods.gd!.signals.every((s) => s.choice?.parameter === 'step')).toBe(true);
    // gd-clip redrew components, each signal from its own seed.
    expect(
      r.methods['gd-clip']!.signals.some((s) => /: [1-9]\d* components redrawn/.test((s.notes ?? []).join(' '))),
    ).toBe(true);
    // Examples: the run's first 4 signals, whichever chunks held them.
    expect(r.examples!.signals).toHaveLength(4);
  });

  it('draws distinct signals (not one seed repeated) and gives the one-pass experiment drawn by signal', () => {
    const snr = reports[0].methods.oracle!.signals.map((s) => s.snrImage);
    expect(new Set(snr).size).toBe(snr.length);
    expect(comparable(onePass)).toBe(comparable(reports[0]));
  });

  it('differ with the chunk size when drawn by chunk (the earlier scheme), which this test would catch', () => {
    expect(comparable(chunkDrawn[0])).not.toBe(comparable(chunkDrawn[1]));
  });

  it('a spec.json written before `draws` existed (no field) still draws by chunk, so resuming it stays consistent', () => {
    const spec = normalizeJobSpec({ ...raw, methods: ['oracle'], chunkSize: 3 });
    const { draws, ...older } = spec as Extract<typeof spec, { kind: 'invert' }>;
    expect(draws).toBe('signal');
    const byChunk = { ...spec, draws: 'chunk' } as typeof spec;
    expect(encodeChunk(runChunk(gen, older as typeof spec, 1, clock))).toBe(
      encodeChunk(runChunk(gen, byChunk, 1, clock)),
    );
    expect(encodeChunk(runChunk(gen, spec, 1, clock))).not.toBe(encodeChunk(runChunk(gen, byChunk, 1, clock)));
  });
});

describe('signalwiseSteps', () => {
  const count = 3;
  const z = matrix(6, count, createRng(2).fillGaussian(new Float64Array(6 * count)));
  const obs = observe(forward(gen, z).output, { kind: 'none' }, { kind: 'none' }, 3);
  const run = (steps: Generator<number, InversionResult, void>) => {
    let next = steps.next();
    while (!next.done) next = steps.next();
    return next.value;
  };

  it.each([1, 2])(
    'runs GD with %i start(s) per signal exactly as a one-signal run seeded with its GD seed',
    (restarts) => {
      const options = { gd: { maxIterations: 80, restarts } };
      const batch = run(signalwiseSteps(gen, obs, 'gd', options, 9, 4));
      for (let j = 0; j < count; j++) {
        const alone = invert(gen, selectSignals(obs, [j]), 'gd', {
          gd: { ...options.gd, seed: signalSeed(9, 4 + j) + 3 },
        });
        for (let i = 0; i < 6; i++) expect(batch.z.data[i * count + j]).toBe(alone.z.data[i]);
        expect(batch.signals[j]).toEqual(alone.signals[0]);
      }
    },
  );
});
