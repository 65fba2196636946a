// An independent QP solver used only in tests: quadprog (Goldfarb–Idnani dual
// method, a port of R's quadprog). It minimises ½ xᵀD x − dᵀx subject to
// Aᵀx ≥ b0, with R's 1-based arrays; this wrapper takes 0-based ones.
import { createRequire } from 'node:module';

const { solveQP } = createRequire(import.meta.url)('quadprog') as {
  solveQP: (
    D: number[][],
    d: number[],
    A: number[][],
    b0: number[],
    meq?: number,
  ) => { solution: number[]; message: string };
};

/**
 * min ½ xᵀD x − dᵀx  s.t.  C x ≥ e (each row of C one constraint).
 * @returns x (0-based), throwing on quadprog's failure message.
 */
export function quadprog(D: number[][], d: number[], C: number[][], e: number[]): number[] {
  const n = d.length;
  const q = C.length;
  const D1: number[][] = [[]];
  for (let i = 0; i < n; i++) D1.push([0, ...D[i]]);
  const A1: number[][] = [[]];
  for (let i = 0; i < n; i++) A1.push([0, ...C.map((row) => row[i])]);
  const res = solveQP(D1, [0, ...d], A1, [0, ...e], 0);
  if (res.message !== '' && res.message !== undefined) throw new Error(`quadprog: ${res.message}`);
  if (q < 0) throw new Error('unreachable');
  return res.solution.slice(1);
}
