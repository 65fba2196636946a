// Every phase records its misfit (its data term) next to its objective, at the same iterations:
// one length, misfit ≤ objective, equal where the phase has no penalty (λ = 0, γ = 0).
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { forward } from '../../../../src/core/model/forward';
import { observe } from '../../../../src/core/model/observation';
import { randomGaussianGenerator } from '../../../../src/core/model/random';
import { invert, type MethodOptions } from '../../../../src/core/pursuit/methods';
import type { InversionResult, MethodId, PhaseReport } from '../../../../src/core/pursuit/types';

const gen = randomGaussianGenerator([8, 40, 80], { kind: 'tanh' }, 3);
const count = 3;
const z = matrix(8, count, createRng(4).fillGaussian(new Float64Array(8 * count)));
const truth = forward(gen, z);
// Noise, so that the misfits stay positive and the iterative phases iterate.
const obs = observe(truth.output, { kind: 'gaussian', sigma: 0.01 }, { kind: 'none' }, 1);
const run = (method: MethodId, options: MethodOptions = {}): InversionResult =>
  invert(gen, obs, method, { gd: { maxIterations: 200 }, ...options }, truth.hidden);
const phasesOf = (r: InversionResult): PhaseReport[] => r.signals.flatMap((s) => s.phases);
const finite = (v: number) => Number.isFinite(v);

describe('misfit histories', () => {
  const methods: MethodId[] = ['lp', 'lbp', 'gd', 'adam', 'oracle', 'oracle-e2e'];

  it.each(methods)('%s: with λ = 0 every phase’s misfit is its objective, point by point', (method) => {
    const phases = phasesOf(run(method, { lp: { lambda: 0 }, lbp: { lambda: 0 } }));
    for (const p of phases) {
      expect(p.misfit, p.phase).toHaveLength(p.history.length);
      p.history.forEach((v, i) => (finite(v) ? expect(p.misfit[i]).toBe(v) : expect(p.misfit[i]).toBeNaN()));
    }
    // Something was recorded: the closed-form phases as one point, the iterative ones as more.
    expect(phases.every((p) => p.stopReason === 'failed' || p.history.length > 0)).toBe(true);
    if (method === 'oracle') for (const p of phases) expect(p.history).toHaveLength(1);
  });

  it.each(['lp', 'lbp'] as const)('%s: with λ > 0 the misfit is the objective less a positive penalty', (method) => {
    const lambda = 1e-3;
    const phases = phasesOf(run(method, { lp: { lambda }, lbp: { lambda } }));
    let penalised = 0;
    for (const p of phases) {
      expect(p.misfit, p.phase).toHaveLength(p.history.length);
      p.history.forEach((v, i) => {
        if (!finite(v)) return expect(p.misfit[i]).toBeNaN();
        expect(p.misfit[i]).toBeLessThanOrEqual(v);
        if (p.misfit[i] < v) penalised++;
      });
    }
    // The layer sub-problems carry λ‖x‖₁ (λ1ᵀx): there the two differ, by more than rounding.
    const layers = phases.filter((p) => /^layer/.test(p.phase));
    expect(layers.length).toBeGreaterThan(0);
    for (const p of layers) {
      const i = p.history.findIndex(finite);
      expect(p.history[i] - p.misfit[i]).toBeGreaterThan(1e-9);
    }
    expect(penalised).toBeGreaterThan(0);
    // Debiasing and refinement have no penalty: equal there.
    for (const p of phases.filter((q) => q.phase === 'debias' || q.phase === 'refine supports'))
      expect(p.misfit).toEqual(p.history);
  });

  it('lp: the z prior γ counts in the objective, not in the misfit', () => {
    const phases = phasesOf(run('lp', { lp: { gamma: 0.5 } }));
    const zPhases = phases.filter((p) => p.phase.startsWith('z '));
    expect(zPhases.length).toBe(count);
    for (const p of zPhases) {
      expect(p.misfit).toHaveLength(p.history.length);
      const i = p.history.findIndex(finite);
      expect(p.misfit[i]).toBeLessThan(p.history[i]);
    }
  });
});
