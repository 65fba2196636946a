import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileCustomActivation,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
} from '../../../../src/core/model/customActivation';
import { loadCustomActivations } from '../../../../src/core/model/customActivationLoader';
import {
  activationFunctions,
  activationLabel,
  activationSecondDerivative,
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

// Custom expressions need their compiler (mathjs), which a thread loads on demand (customActivationLoader.ts).
beforeAll(() => loadCustomActivations());

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

describe('custom activations are scalar expressions in x, nothing more (issue 9)', () => {
  it.each([
    ['x + 0*sum(zeros(100000,100000))', 'calls sum, which is not one of the allowed functions'],
    ['x + 0*ones(1000,1000)', 'calls ones, which is not one of the allowed functions'],
    ['x + 0*matrix([1])', 'calls matrix'],
    ['import({})', 'calls import'],
    ['evaluate("1")', 'calls evaluate'],
    ['x + createUnit("foo")', 'calls createUnit'],
    ['x + derivative("x", "x")', 'calls derivative'],
    ['sign(x) + x', 'calls sign'],
    ['x + [1, 2]', 'uses array syntax'],
    ['x + {a: 1}.a', 'uses accessor syntax'],
    ['x + a[1]', 'uses accessor syntax'],
    ['f(x) = x', 'uses functionassignment syntax'],
    ['a = x', 'uses assignment syntax'],
    ['x; x', 'uses block syntax'],
    ['x + (1:3)', 'uses range syntax'],
    ['x > 0 ? x : x / 5', 'uses conditional syntax'],
    ['x + "1"', 'contains the constant "1", not a number'],
    ['x + true', 'contains the constant true, not a number'],
    ['x + 5 cm', 'may only use the variable x, but uses cm'],
    ['x!', 'uses the operator !'],
    ['x mod 3', 'uses the operator mod'],
    ['x == 1', 'uses the operator =='],
  ])('refuses %s at once: %s', (expression, reason) => {
    expect(() => compileCustomActivation(expression)).toThrow(reason);
  });

  it('bounds the length and the nesting depth', () => {
    const long = `x${' + 0'.repeat(MAX_EXPRESSION_LENGTH)}`;
    expect(() => compileCustomActivation(long)).toThrow(`over the limit of ${MAX_EXPRESSION_LENGTH}`);
    let deep = 'x';
    for (let i = 0; i < MAX_EXPRESSION_DEPTH; i++) deep = `sinh(${deep})`;
    expect(deep.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
    expect(() => compileCustomActivation(deep)).toThrow(`nests deeper than ${MAX_EXPRESSION_DEPTH} levels`);
  });

  it('differentiates a nested expression without simplifying it (mathjs simplify is exponential in depth)', () => {
    let nested = 'x';
    for (let i = 0; i < 10; i++) nested = `tanh(${nested}) + x`;
    const f = compileCustomActivation(nested).functions;
    const h = 1e-6;
    expect(f.derivative(0.3)).toBeCloseTo((f.forward(0.3 + h) - f.forward(0.3 - h)) / (2 * h), 6);
  });

  it('refuses when the monotonicity check outlasts its time limit', () => {
    let clock = 0;
    const now = () => (clock += 1000);
    expect(() => compileCustomActivation('x + 0.25 * atan(x)', { timeLimitMs: 2000, now })).toThrow(
      'took more than 2000 ms to check on its grid',
    );
  });

  it.each([
    ['x + expm1(x) / 10', (x: number) => x + Math.expm1(x) / 10],
    ['log1p(exp(x)) + x', (x: number) => Math.log1p(Math.exp(x)) + x],
    ['cbrt(x) + x', (x: number) => Math.cbrt(x) + x],
    ['x + atan(x) + asinh(x) + sinh(x) / 100', (x: number) => x + Math.atan(x) + Math.asinh(x) + Math.sinh(x) / 100],
    ['1 / (1 + exp(-x)) + x / pi', (x: number) => 1 / (1 + Math.exp(-x)) + x / Math.PI],
    ['pow(x, 3) + e * x', (x: number) => x ** 3 + Math.E * x],
  ])('accepts %s with the right φ and φ′', (expression, phi) => {
    const f = compileCustomActivation(expression).functions;
    for (const x of [-2.5, -0.3, 0.4, 1.7]) {
      expect(f.forward(x)).toBeCloseTo(phi(x), 12);
      const h = 1e-6;
      expect(f.derivative(x)).toBeCloseTo((phi(x + h) - phi(x - h)) / (2 * h), 5);
      expect(f.inverse(f.forward(x))).toBeCloseTo(x, 9);
    }
  });
});

describe('activationSecondDerivative', () => {
  it('matches a central difference of φ′ for tanh, sigmoid and a custom expression; 0 for piecewise-linear φ', () => {
    const curved: OutputActivation[] = [
      { kind: 'tanh' },
      { kind: 'sigmoid' },
      { kind: 'custom', expression: 'x + x^3 / 3' },
    ];
    for (const act of curved) {
      const phi = activationFunctions(act);
      const second = activationSecondDerivative(act, phi);
      for (const x of [-2.5, -0.7, 0, 0.3, 1.9]) {
        const h = 1e-4;
        const reference = (phi.derivative(x + h) - phi.derivative(x - h)) / (2 * h);
        expect(Math.abs(second(x) - reference)).toBeLessThan(1e-6);
      }
    }
    for (const act of all.filter((a) => a.kind !== 'tanh' && a.kind !== 'sigmoid')) {
      const second = activationSecondDerivative(act, activationFunctions(act));
      for (const x of [-3, -0.5, 0.5, 3]) expect(second(x)).toBe(0);
    }
  });
});
