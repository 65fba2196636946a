import { describe, expect, it } from 'vitest';
import type { RunSpec } from '../../../src/main/services/jobs/runs';
import { reportHtml } from '../../../src/main/services/reports/html';
import type { SweepResult } from '../../../src/core/experiments/sweep';
import { syntheticSweep } from '../../helpers/sweepFixture';

/** The least of a run spec the page reads. */
const spec = {
  id: 'run-1',
  job: { kind: 'sweep', seed: 0 },
  model: { source: 'random:10,10,200:tanh', name: 'random', sha256: 'abc', dims: [10, 10, 200], output: 'tanh' },
  app: { version: 'test', node: '20' },
  created: '2026-12-02T00:00:00Z',
  chunks: 1,
  kernel: 'js',
} as unknown as RunSpec;

const page = (result: SweepResult) =>
  reportHtml({ spec, result, figures: [], generated: { version: 'test', at: '2026-12-02T00:00:00Z' } });

describe("the HTML report's sweep summary", () => {
  it("adds the hybrid's winning paths per point when the hybrid ran, and nothing otherwise", () => {
    const base = syntheticSweep([10], [10, 40]);
    expect(page(base)).not.toContain('hybrid paths');
    const withHybrid: SweepResult = {
      ...base,
      settings: { ...base.settings, methods: [...base.settings.methods, 'hybrid'] },
      points: base.points.map((p, i) => ({
        ...p,
        methods: {
          ...p.methods,
          hybrid: { ...p.methods.lp!, paths: i === 0 ? { lp: 12, 'gd-from-lp': 4 } : { 'gd-random': 16 } },
        },
      })),
    };
    const html = page(withHybrid);
    expect(html).toContain('<th>hybrid paths</th>');
    expect(html).toContain('<td>lp 12, gd-from-lp 4</td>');
    expect(html).toContain('<td>gd-random 16</td>');
  });
});
