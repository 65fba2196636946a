import { describe, expect, it } from 'vitest';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { activationFunctions } from '../../../../src/core/model/activations';
import {
  classifySaturation,
  defaultSaturationTolerance,
  solveWithInequalities,
} from '../../../../src/core/pursuit/saturation';
import { leastSquaresOnSupport } from '../../../../src/core/pursuit/leastSquares';
import { quadprog } from '../../../helpers/quadprog';

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let e = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    e += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(e / s);
};

describe('classifySaturation', () => {
  const tanh = { kind: 'tanh' } as const;
  it('reads pixels within τ of the range, and noise past it, as one-sided; the rest as equations', () => {
    const tau = defaultSaturationTolerance(tanh);
    expect(tau).toBeCloseTo(2 * Math.sqrt(Number.EPSILON), 20);
    const values = [0.5, 1, 1 - tau / 2, 1 - 2 * tau, -1, 1.03, -1.2, 0];
    const y = matrix(values.length, 1, Float64Array.from(values));
    const sat = classifySaturation(y, undefined, tanh, activationFunctions(tanh));
    expect(Array.from(sat.side)).toEqual([0, 1, 1, 0, -1, 1, -1, 0]);
    expect(sat.counts[0]).toBe(5);
    expect(sat.above).toBeCloseTo(Math.atanh(1 - tau), 12);
    expect(sat.below).toBeCloseTo(-Math.atanh(1 - tau), 12);
    expect(sat.above).toBeGreaterThan(8.9);
    expect(sat.above).toBeLessThan(9.1);
  });

  it('skips hidden pixels, and knows sigmoid’s range is (0, 1)', () => {
    const sigmoid = { kind: 'sigmoid' } as const;
    const y = matrix(4, 1, Float64Array.from([0, 1, 0.5, 1]));
    const sat = classifySaturation(y, Uint8Array.from([1, 1, 1, 0]), sigmoid, activationFunctions(sigmoid));
    expect(Array.from(sat.side)).toEqual([-1, 1, 0, 0]);
    expect(sat.below).toBeCloseTo(-sat.above, 9);
  });

  it('never saturates an unbounded φ, and refuses a tolerance outside the range', () => {
    const id = { kind: 'identity' } as const;
    const y = matrix(2, 1, Float64Array.from([1, -1e9]));
    expect(Array.from(classifySaturation(y, undefined, id, activationFunctions(id)).side)).toEqual([0, 0]);
    expect(() => classifySaturation(y, undefined, tanh, activationFunctions(tanh), 0)).toThrow(
      'saturation tolerance must be in (0, 1) for tanh, got 0',
    );
    expect(() => classifySaturation(y, undefined, tanh, activationFunctions(tanh), 1.5)).toThrow('(0, 1)');
  });
});

describe('solveWithInequalities', () => {
  it('matches an independent QP (quadprog) where some one-sided rows bind', () => {
    // ½‖A_E x − c‖² + ½Σ_I (θ_r − a_r x)₊²  ==  min over s ≥ 0, A_I x + s ≥ θ of ½‖A_E x − c‖² + ½‖s‖².
    const [mE, mI, n] = [30, 20, 8];
    const rng = createRng(41);
    const A = matrix(mE + mI, n, rng.fillGaussian(new Float64Array((mE + mI) * n)));
    const At = matrix(n, mE + mI);
    for (let r = 0; r < mE + mI; r++) for (let q = 0; q < n; q++) At.data[q * (mE + mI) + r] = A.data[r * n + q];
    const target = rng.fillGaussian(new Float64Array(mE + mI));
    const eq = Int32Array.from({ length: mE }, (_, r) => r);
    const ineq = Int32Array.from({ length: mI }, (_, k) => mE + k);
    const all = Int32Array.from({ length: n }, (_, q) => q);
    const pre = (x: Float64Array | number[], r: number) => {
      let s = 0;
      for (let q = 0; q < n; q++) s += A.data[r * n + q] * x[q];
      return s;
    };
    // Thresholds (rows' targets) above the equations-only fit for half the rows, so they bind.
    const free = leastSquaresOnSupport(A, At, eq, all, target).x!;
    for (const r of ineq) target[r] = pre(free, r) + (r % 2 === 0 ? 0.5 : -0.5);
    const result = solveWithInequalities(
      eq,
      ineq,
      (rows) => leastSquaresOnSupport(A, At, rows, all, target).x,
      (x, r) => target[r] - pre(x, r),
      1e-12,
    );
    expect(result).toBeDefined();
    expect(result!.active.length).toBeGreaterThan(0);

    const D: number[][] = [];
    const d: number[] = [];
    for (let p = 0; p < n + mI; p++) {
      D.push(new Array(n + mI).fill(0));
      d.push(0);
    }
    for (const r of eq) {
      for (let p = 0; p < n; p++) {
        d[p] += A.data[r * n + p] * target[r];
        for (let q = 0; q < n; q++) D[p][q] += A.data[r * n + p] * A.data[r * n + q];
      }
    }
    for (let k = 0; k < mI; k++) D[n + k][n + k] = 1;
    const C: number[][] = [];
    const e: number[] = [];
    ineq.forEach((r, k) => {
      const row = new Array(n + mI).fill(0);
      for (let q = 0; q < n; q++) row[q] = A.data[r * n + q];
      row[n + k] = 1;
      C.push(row);
      e.push(target[r]);
      const slack = new Array(n + mI).fill(0);
      slack[n + k] = 1;
      C.push(slack);
      e.push(0);
    });
    const reference = quadprog(D, d, C, e).slice(0, n);
    expect(relErr(result!.x, reference)).toBeLessThan(1e-9);
  });
});
