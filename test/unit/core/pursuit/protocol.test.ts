import { describe, expect, it } from 'vitest';
import { getColumn, matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { invert } from '../../../../src/core/pursuit/methods';
import { selectSignals } from '../../../../src/core/pursuit/protocol';

/**
 * The grid protocols against an independent reference: every grid value run
 * on the whole batch separately, and the per-signal choice read off those runs
 * by the stated rule.
 */
describe("the paper's grid protocols", () => {
  const gen = randomGaussianGenerator([10, 60, 120], { kind: 'tanh' }, 7);
  const count = 6;
  const z = matrix(10, count, createRng(3).fillGaussian(new Float64Array(10 * count)));
  const truth = forward(gen, z);
  const obs = observe(truth.output, { kind: 'gaussian', sigma: 0.02 }, { kind: 'random', fraction: 0.2 }, 4);

  it("LBP's λ grid keeps, per signal, the λ whose own run has the lowest misfit (ties: listed first)", () => {
    const grid = [1e-2, 1e-3, 0];
    const runs = grid.map((lambda) => invert(gen, obs, 'lbp', { lbp: { lambda } }));
    const picked = invert(gen, obs, 'lbp', { lbp: { lambdaGrid: grid } });
    expect(picked.choices).toHaveLength(count);
    for (let j = 0; j < count; j++) {
      const residuals = runs.map((r) => r.signals[j].residual);
      const best = residuals.indexOf(Math.min(...residuals));
      expect(picked.choices![j]).toEqual({ parameter: 'lambda', value: grid[best], tried: grid.length, met: true });
      expect(Array.from(getColumn(picked.z, j))).toEqual(Array.from(getColumn(runs[best].z, j)));
      expect(picked.signals[j]).toEqual(runs[best].signals[j]);
    }
  });

  it("GD's step grid keeps, per signal, the smallest step whose run ends on the gradient tolerance", () => {
    // Fixed starts (no random draw), so a signal's run does not depend on which others share its batch.
    const init = matrix(10, count, createRng(11).fillGaussian(new Float64Array(10 * count)));
    const gd = { init, restarts: 1, maxIterations: 1500, gradientTolerance: 1e-6, schedule: 'step' as const, decay: 1 };
    const clean = observe(truth.output, { kind: 'none' }, { kind: 'none' }, 4);
    const grid = [1e-3, 3e-3, 1e-2];
    const runs = grid.map((step) => invert(gen, clean, 'gd', { gd: { ...gd, step } }));
    const picked = invert(gen, clean, 'gd', { gd: { ...gd, stepGrid: grid } });
    let settledLate = 0;
    for (let j = 0; j < count; j++) {
      const first = runs.findIndex((r) => r.signals[j].stopReason === 'gradient');
      const c = picked.choices![j];
      if (first >= 0) {
        expect(c).toEqual({ parameter: 'step', value: grid[first], tried: first + 1, met: true });
        expect(Array.from(getColumn(picked.z, j))).toEqual(Array.from(getColumn(runs[first].z, j)));
        if (first > 0) settledLate++;
      } else {
        // No step met the rule: the lowest misfit of all, said so.
        const residuals = runs.map((r) => r.signals[j].residual);
        expect(c).toEqual({
          parameter: 'step',
          value: grid[residuals.indexOf(Math.min(...residuals))],
          tried: grid.length,
          met: false,
        });
      }
    }
    // The case exercises the rule: some signal needed more than the first step.
    expect(settledLate).toBeGreaterThan(0);
  });

  it('selectSignals keeps the chosen columns of y and of the mask', () => {
    const sub = selectSignals(obs, [4, 1]);
    expect(Array.from(getColumn(sub.y, 0))).toEqual(Array.from(getColumn(obs.y, 4)));
    expect(Array.from(getColumn(sub.y, 1))).toEqual(Array.from(getColumn(obs.y, 1)));
    const n = obs.y.rows;
    for (let i = 0; i < n; i++) expect(sub.known![i * 2 + 1]).toBe(obs.known![i * count + 1]);
  });

  it('refuses an empty or negative grid by name', () => {
    expect(() => invert(gen, obs, 'gd', { gd: { stepGrid: [] } })).toThrow(/gd.stepGrid/);
    expect(() => invert(gen, obs, 'lbp', { lbp: { lambdaGrid: [-1] } })).toThrow(/lbp.lambdaGrid/);
  });
});
