import type { Matrix } from './matrix';

/**
 * Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, ascending.
 * O(n³) per sweep, a handful of sweeps: for the small Gram matrices of the
 * theory checks (supported blocks of a layer), not for large problems.
 * Converges when the off-diagonal mass is below 1e-15 of the matrix's.
 */
export function symmetricEigenvalues(a: Matrix, maxSweeps = 50): Float64Array {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`symmetricEigenvalues needs a square matrix, got ${a.rows}×${a.cols}`);
  const m = Float64Array.from(a.data);
  let total = 0;
  for (let i = 0; i < n * n; i++) total += m[i] * m[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i * n + i];
  return out.sort();
}
