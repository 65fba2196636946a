import { describe, expect, it } from 'vitest';
import { presetSpec } from '../../../src/cli/commands/experiment';
import { normalizeJobSpec } from '../../../src/core/experiments/jobs';
import { CS_M, CS_MODEL, PAPER_LAMBDA_GRID, PAPER_STEP_GRID } from '../../../src/shared/presets';

describe('experiment presets', () => {
  it("fig2 --paper-protocol puts the paper's grids in the spec, so spec.json records them", () => {
    const job = normalizeJobSpec(presetSpec('fig2', { quick: false, paperProtocol: true }));
    expect(job).toMatchObject({
      kind: 'sweep',
      options: { gd: { stepGrid: [0.1, 1, 10, 100, 1000, 10000] }, lbp: { lambdaGrid: [1e-5, 7e-6, 3e-6, 1e-6, 0] } },
    });
    expect(PAPER_STEP_GRID).toEqual([0.1, 1, 10, 100, 1000, 10000]);
    expect(PAPER_LAMBDA_GRID).toEqual([1e-5, 7e-6, 3e-6, 1e-6, 0]);
    // --quick keeps its short GD alongside the grid.
    expect(presetSpec('fig2', { quick: true, paperProtocol: true })).toMatchObject({
      options: { gd: { maxIterations: 300, restarts: 1, stepGrid: PAPER_STEP_GRID } },
    });
    expect(normalizeJobSpec(presetSpec('fig2', { quick: false }))).not.toHaveProperty('options');
  });

  it('gives gd-clip the settings of gd (quick and paper protocol), so only the clipping differs', () => {
    for (const paperProtocol of [false, true]) {
      const { options } = presetSpec('fig2', { quick: true, paperProtocol }) as { options: Record<string, unknown> };
      expect(options.gdClip).toEqual(options.gd);
      expect(options.gd).toMatchObject({ maxIterations: 300, restarts: 1 });
    }
  });

  it('refuses --paper-protocol on the presets it does not belong to', () => {
    expect(() => presetSpec('fig3', { quick: true, paperProtocol: true })).toThrow(/--paper-protocol is that of fig2/);
  });

  it('cs is a sensing job over m on its random model (or --model), --m replacing the grid, A seeded in the spec', () => {
    const job = normalizeJobSpec(presetSpec('cs', { quick: false, seed: 3 }));
    expect(job).toMatchObject({ kind: 'sensing', model: CS_MODEL, m: [...CS_M], seed: 3, measureSeed: 10, count: 64 });
    expect(normalizeJobSpec(presetSpec('cs', { quick: true, m: [50, 100] }))).toMatchObject({ m: [50, 100], count: 8 });
    expect(normalizeJobSpec(presetSpec('cs', { quick: true, count: 12 }))).toMatchObject({ count: 12 });
    expect(() => presetSpec('noise', { quick: true, m: [50] })).toThrow(/the m grid is that of cs/);
  });
});
