/*
 * Operand packing shared by the blocked product kernels (TypeScript and
 * WebAssembly): panels contiguous along the inner dimension, so a micro-kernel
 * streams both operands with unit stride. Index restrictions (rows / inner /
 * cols) are applied here, so sub-matrices cost nothing extra. Panels past the
 * matrix edge are padded with zeros.
 */

/** Rows per A panel and columns per B panel: the 4 × 4 register tile (the packing's fast paths write 4 per step). */
export const MR = 4;
export const NR = 4;
/**
 * Inner-dimension block: an A panel (MR × KC) and a B panel (KC × NR) stay in
 * L1. Both kernels must block the inner dimension alike to give identical bits.
 */
export const KC = 256;
/** Row block: an A block (MC × KC doubles = 256 KiB) stays in L2. */
export const MC = 128;

/**
 * Packs B[inner[pc…pc+kc), cols[jc…jc+nc)] into ⌈nc/NR⌉ column panels:
 * dst[(jp·kc + p)·NR + c] = B[inner[pc + p], cols[jc + jp·NR + c]].
 */
export function packBPanels(
  dst: Float64Array,
  b: Float64Array,
  ldb: number,
  inner: Int32Array | undefined,
  cols: Int32Array | undefined,
  pc: number,
  kc: number,
  jc: number,
  nc: number,
): void {
  const nPanels = Math.ceil(nc / NR);
  for (let jp = 0; jp < nPanels; jp++) {
    const base = jp * kc * NR;
    // A whole panel of contiguous columns (the common case): NR plain copies per row, without
    // the per-entry index and bound tests (they were most of the packing's time).
    if (cols === undefined && (jp + 1) * NR <= nc) {
      const first = jc + jp * NR;
      for (let p = 0; p < kc; p++) {
        const at = (inner === undefined ? pc + p : inner[pc + p]) * ldb + first;
        const o = base + p * NR;
        for (let c = 0; c < NR; c++) dst[o + c] = b[at + c];
      }
      continue;
    }
    // A whole panel of indexed columns (a Gram block on a support): its four column offsets read once.
    if (cols !== undefined && (jp + 1) * NR <= nc) {
      const j0 = jc + jp * NR;
      const [c0, c1, c2, c3] = [cols[j0], cols[j0 + 1], cols[j0 + 2], cols[j0 + 3]];
      for (let p = 0; p < kc; p++) {
        const rowB = (inner === undefined ? pc + p : inner[pc + p]) * ldb;
        const o = base + p * NR;
        dst[o] = b[rowB + c0];
        dst[o + 1] = b[rowB + c1];
        dst[o + 2] = b[rowB + c2];
        dst[o + 3] = b[rowB + c3];
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      const rowB = (inner === undefined ? pc + p : inner[pc + p]) * ldb;
      const o = base + p * NR;
      for (let c = 0; c < NR; c++) {
        const j = jp * NR + c;
        dst[o + c] = j < nc ? b[rowB + (cols === undefined ? jc + j : cols[jc + j])] : 0;
      }
    }
  }
}

/**
 * Packs A[rows[ic…ic+mc), inner[pc…pc+kc)] into ⌈mc/MR⌉ row panels:
 * dst[(ip·kc + p)·MR + r] = A[rows[ic + ip·MR + r], inner[pc + p]].
 */
export function packAPanels(
  dst: Float64Array,
  a: Float64Array,
  lda: number,
  rows: Int32Array | undefined,
  inner: Int32Array | undefined,
  ic: number,
  mc: number,
  pc: number,
  kc: number,
): void {
  const mPanels = Math.ceil(mc / MR);
  for (let ip = 0; ip < mPanels; ip++) {
    const base = ip * kc * MR;
    // A whole panel on indexed inner positions: one pass along them writes the panel in order,
    // where a pass per row wrote every MR-th entry (the same values either way).
    if (inner !== undefined && (ip + 1) * MR <= mc) {
      const i0 = ic + ip * MR;
      const row = (r: number) => (rows === undefined ? i0 + r : rows[i0 + r]) * lda;
      const [r0, r1, r2, r3] = [row(0), row(1), row(2), row(3)];
      for (let p = 0; p < kc; p++) {
        const col = inner[pc + p];
        const o = base + p * MR;
        dst[o] = a[r0 + col];
        dst[o + 1] = a[r1 + col];
        dst[o + 2] = a[r2 + col];
        dst[o + 3] = a[r3 + col];
      }
      continue;
    }
    for (let r = 0; r < MR; r++) {
      const i = ic + ip * MR + r;
      if (i >= ic + mc) {
        for (let p = 0; p < kc; p++) dst[base + p * MR + r] = 0;
        continue;
      }
      const rowA = (rows === undefined ? i : rows[i]) * lda;
      if (inner === undefined) for (let p = 0; p < kc; p++) dst[base + p * MR + r] = a[rowA + pc + p];
      else for (let p = 0; p < kc; p++) dst[base + p * MR + r] = a[rowA + inner[pc + p]];
    }
  }
}
