import { choleskyInPlace, choleskySolveInPlace } from './cholesky';

/**
 * A Cholesky factor G = L Lᵀ kept up to date while G gains or loses one row
 * and column at a time — the systems of an active-set solver, whose support
 * changes by one index per round. Appending costs one triangular solve and
 * removing a sweep of Givens rotations, both O(t²), where a fresh
 * factorisation costs O(t³) and forming the Gram matrix anew O(|R| t²).
 *
 * L is stored row-major with a fixed stride (the capacity), which doubles
 * when an append needs more room.
 */
export class UpdatableCholesky {
  private l: Float64Array;
  private stride: number;
  private t = 0;

  constructor(capacity = 16) {
    this.stride = Math.max(1, capacity);
    this.l = new Float64Array(this.stride * this.stride);
  }

  /** Order t of the factored matrix. */
  get size(): number {
    return this.t;
  }

  /**
   * Replaces the factor by that of the t × t matrix `gram` (row-major; it is
   * overwritten), factored in one go — cheaper than t appends when a whole
   * support arrives at once. Returns false, leaving the factor empty, when
   * `gram` is not numerically positive definite.
   */
  reset(gram: Float64Array, t: number): boolean {
    this.t = 0;
    if (!choleskyInPlace(gram, t)) return false;
    while (this.stride < t) this.grow();
    for (let i = 0; i < t; i++) this.l.set(gram.subarray(i * t, i * t + i + 1), i * this.stride);
    this.t = t;
    return true;
  }

  /** L's entry (i, j), for tests and diagnostics. */
  at(i: number, j: number): number {
    return j <= i ? this.l[i * this.stride + j] : 0;
  }

  /**
   * Grows G by a last row and column: `column[0..t)` = G[t, 0..t), `diagonal`
   * = G[t, t]. Refuses (returns false, leaving the factor as it was) when the
   * new pivot is not above 1e-12 · G[t, t] — the same test as
   * {@link choleskyInPlace}: the new column lies numerically in the span of
   * the others.
   */
  append(column: Float64Array, diagonal: number): boolean {
    const t = this.t;
    if (t === this.stride) this.grow();
    const { l, stride } = this;
    const row = t * stride;
    // Solve L w = column into the new row.
    let d = diagonal;
    for (let i = 0; i < t; i++) {
      let s = column[i];
      const ri = i * stride;
      for (let p = 0; p < i; p++) s -= l[ri + p] * l[row + p];
      const w = s / l[ri + i];
      l[row + i] = w;
      d -= w * w;
    }
    if (!(d > 1e-12 * diagonal) || !(d > 0)) return false;
    l[row + t] = Math.sqrt(d);
    this.t = t + 1;
    return true;
  }

  /**
   * Removes row and column q of G. Dropping row q of L leaves a factor with
   * one superdiagonal in columns q…t−1; Givens rotations of column pairs
   * (k, k+1) zero it, which keeps L Lᵀ unchanged (the rotations are
   * orthogonal and act from the right).
   */
  remove(q: number): void {
    const t = this.t;
    if (!(Number.isInteger(q) && q >= 0 && q < t)) throw new RangeError(`no row ${q} in a factor of order ${t}`);
    const { l, stride } = this;
    for (let i = q; i < t - 1; i++) l.copyWithin(i * stride, (i + 1) * stride, (i + 1) * stride + i + 2);
    for (let k = q; k < t - 1; k++) {
      const rk = k * stride;
      const a = l[rk + k];
      const b = l[rk + k + 1];
      const r = Math.hypot(a, b);
      const c = a / r;
      const s = b / r;
      for (let i = k; i < t - 1; i++) {
        const ri = i * stride;
        const x = l[ri + k];
        const y = l[ri + k + 1];
        l[ri + k] = c * x + s * y;
        l[ri + k + 1] = c * y - s * x;
      }
      l[rk + k + 1] = 0;
    }
    this.t = t - 1;
  }

  /** Solves L Lᵀ x = b in place on b's first t entries; returns b. */
  solveInPlace(b: Float64Array): Float64Array {
    return choleskySolveInPlace(this.l, this.t, b, this.stride);
  }

  private grow(): void {
    const stride = this.stride * 2;
    const l = new Float64Array(stride * stride);
    for (let i = 0; i < this.t; i++) l.set(this.l.subarray(i * this.stride, i * this.stride + i + 1), i * stride);
    this.l = l;
    this.stride = stride;
  }
}
