import { describe, expect, it } from 'vitest';
import { round4 } from '../../../../src/core/experiments/examples';
import type { InvertReport } from '../../../../src/core/experiments/invert';
import {
  chunkCount,
  mergeChunks,
  normalizeJobSpec,
  runChunk,
  type JobSpec,
} from '../../../../src/core/experiments/jobs';
import { reconstructSignal, type SignalDraw } from '../../../../src/core/experiments/reconstruct';
import type { MethodId } from '../../../../src/core/pursuit/types';
import { randomGaussianGenerator } from '../../../../src/core/model/random';

// An 8 × 8 "image" output, so the job keeps its first signals as examples.
const gen = randomGaussianGenerator([6, 30, 64], { kind: 'tanh' }, 3);
const raw = {
  kind: 'invert',
  model: 'random:6,30,64:tanh',
  methods: ['oracle', 'lbp'],
  count: 8,
  seed: 5,
  mask: 'random:0.3',
  noise: 0.01,
  chunkSize: 3,
};
const methods: MethodId[] = ['oracle', 'lbp'];

/** The job's report, merged from its chunks and read back through JSON as result.json is. */
function jobReport(draws: 'signal' | 'chunk'): InvertReport {
  const spec = normalizeJobSpec({ ...raw, draws }) as Extract<JobSpec, { kind: 'invert' }>;
  const chunks = Array.from({ length: chunkCount(spec) }, (_, k) => runChunk(gen, spec, k, () => 0));
  return JSON.parse(JSON.stringify(mergeChunks(gen, spec, chunks))) as InvertReport;
}

// Drawn by signal (invert jobs' default): the run's first 4 signals are examples, from chunks 0 and 1.
// Drawn by chunk (earlier runs): chunk 0's 3.
describe.each([
  ['signal', 4],
  ['chunk', 3],
] as const)('reconstructSignal, signals drawn by %s', (draws, exampleCount) => {
  const report = jobReport(draws);
  const zHats = (index: number) => Object.fromEntries(methods.map((m) => [m, report.methods[m]!.signals[index].zHat!]));
  const draw = report.settings as SignalDraw;

  it('the invert job records ẑ per signal and method, and how it drew its signals', () => {
    if (draws === 'signal') expect([report.settings.draws, report.settings.chunkSize]).toEqual(['signal', undefined]);
    else expect([report.settings.draws, report.settings.chunkSize]).toEqual([undefined, 3]);
    for (const m of methods) for (const s of report.methods[m]!.signals) expect(s.zHat).toHaveLength(6);
  });

  it("redraws the first signals exactly as the job's stored examples (truth, observation with mask, G(ẑ))", () => {
    const examples = report.examples!.signals;
    expect(examples).toHaveLength(exampleCount);
    examples.forEach((e, j) => {
      const r = reconstructSignal(gen, draw, j, zHats(j));
      expect(Array.from(r.truth, round4)).toEqual(e.truth);
      expect(Array.from(r.observed, (v, i) => (r.known![i] ? round4(v) : null))).toEqual(e.observed);
      for (const m of methods) expect(Array.from(r.methods[m]!.output, round4)).toEqual(e.methods[m]);
    });
  });

  it("gives, for signals of later chunks (the short last one too), G(ẑ)'s SNR bit for bit as the job measured it", () => {
    for (const index of [3, 5, 7]) {
      const r = reconstructSignal(gen, draw, index, zHats(index));
      for (const m of methods) expect(r.methods[m]!.snrImage).toBe(report.methods[m]!.signals[index].snrImage);
      // About 30% of the 64 pixels hidden, and 0 there, as the methods received them.
      const hidden = r.known!.reduce((a, v) => a + (v ? 0 : 1), 0);
      expect(hidden).toBe(Math.round(0.3 * 64));
      r.known!.forEach((v, i) => v === 0 && expect(r.observed[i]).toBe(0));
    }
  });

  it('refuses an index outside the run and a ẑ of the wrong length', () => {
    expect(() => reconstructSignal(gen, draw, 8, {})).toThrow(/signal 8 is not in the run/);
    expect(() => reconstructSignal(gen, draw, 0, { lp: [1, 2] })).toThrow(/has 2 numbers, the model takes 6/);
  });
});
