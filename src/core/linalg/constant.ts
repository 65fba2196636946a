import type { Matrix } from './matrix';

/**
 * Matrices whose entries never change once marked — a generator's weights and
 * their transposes (pursuit/prepared.ts). The product kernel packs such a
 * left operand once and reuses the packed panels on every later product:
 * FISTA multiplies by the same W thousands of times, and packing it each
 * time cost more than the multiplication. Marking a matrix is a promise:
 * writing into a marked matrix afterwards gives wrong products.
 */
const constants = new WeakSet<Float64Array>();

/** Marks `m` as never written again; returns it. */
export function markConstant(m: Matrix): Matrix {
  constants.add(m.data);
  return m;
}

export const isConstant = (m: Matrix): boolean => constants.has(m.data);
