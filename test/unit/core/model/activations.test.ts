import { describe, expect, it } from 'vitest';
import {
  activationFunctions,
  activationLabel,
  checkActivation,
  type OutputActivation,
} from '../../../../src/core/model/activations';

const all: OutputActivation[] = [
  { kind: 'identity' },
  { kind: 'tanh' },
  { kind: 'sigmoid' },
  { kind: 'leaky_relu', slope: 0.2 },
  { kind: 'plu', alpha: 0.1, c: 1 },
];

describe('output activations', () => {
  it.each(all)('$kind: φ⁻¹(φ(x)) = x and φ′ matches a central difference', (act) => {
    const f = activationFunctions(act);
    for (const x of [-3.7, -1.2, -0.4, 0.05, 0.9, 2.5]) {
      expect(f.inverse(f.forward(x))).toBeCloseTo(x, 9);
      const h = 1e-6;
      expect(f.derivative(x)).toBeCloseTo((f.forward(x + h) - f.forward(x - h)) / (2 * h), 6);
    }
  });

  it('PLU is the identity on [-c, c] and has slope α outside', () => {
    const f = activationFunctions({ kind: 'plu', alpha: 0.1, c: 1 });
    expect(f.forward(0.7)).toBe(0.7);
    expect(f.forward(3)).toBeCloseTo(1.2, 12); // 0.1·(3 − 1) + 1
    expect(f.forward(-3)).toBeCloseTo(-1.2, 12);
  });

  it('tanh and sigmoid inverses are NaN outside the range, never a wrong number', () => {
    expect(activationFunctions({ kind: 'tanh' }).inverse(1)).toBeNaN();
    expect(activationFunctions({ kind: 'sigmoid' }).inverse(0)).toBeNaN();
    expect(activationFunctions({ kind: 'sigmoid' }).forward(-800)).toBe(0);
  });

  it('refuses non-invertible parameters and labels the valid ones', () => {
    expect(checkActivation({ kind: 'leaky_relu', slope: 0 })).toMatch(/slope must be/);
    expect(checkActivation({ kind: 'plu', alpha: -1, c: 1 })).toMatch(/alpha/);
    expect(checkActivation({ kind: 'plu', alpha: 0.1, c: Number.NaN })).toMatch(/plu c/);
    expect(all.map(checkActivation)).toEqual(all.map(() => undefined));
    expect(activationLabel({ kind: 'plu', alpha: 0.1, c: 1 })).toBe('plu(α=0.1, c=1)');
  });
});

describe('custom activation (an expression in x)', () => {
  it('derives φ′ symbolically and inverts numerically', () => {
    const act: OutputActivation = { kind: 'custom', expression: 'x + 0.5 * tanh(x)' };
    expect(checkActivation(act)).toBeUndefined();
    const f = activationFunctions(act);
    for (const x of [-30, -2.5, -0.1, 0, 0.7, 4, 100]) {
      expect(f.forward(x)).toBeCloseTo(x + 0.5 * Math.tanh(x), 12);
      expect(f.derivative(x)).toBeCloseTo(1 + 0.5 * (1 - Math.tanh(x) ** 2), 12);
      expect(Math.abs(f.inverse(f.forward(x)) - x)).toBeLessThan(1e-12 * Math.max(1, Math.abs(x)));
    }
    expect(activationLabel(act)).toBe('custom(x + 0.5 * tanh(x))');
  });

  it('returns NaN outside the range of a bounded φ', () => {
    const f = activationFunctions({ kind: 'custom', expression: 'tanh(x) + x / 1000' });
    expect(f.inverse(f.forward(3))).toBeCloseTo(3, 10);
    expect(f.inverse(Number.POSITIVE_INFINITY)).toBeNaN();
  });

  it.each([
    ['x^2', 'is not strictly increasing'],
    ['-x', 'is not strictly increasing'],
    ['x + y', 'may only use the variable x, but uses y'],
    ['x +* 2', 'does not parse'],
    ['sqrt(x)', 'is not finite at x = -8'],
  ])('refuses %s with the reason', (expression, reason) => {
    expect(checkActivation({ kind: 'custom', expression })).toContain(reason);
  });
});
