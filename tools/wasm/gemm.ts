// AssemblyScript source of the WebAssembly product kernel (see src/core/linalg/wasmKernel.ts,
// which packs the operands into this module's memory and calls `panels`).
// Rebuild with tools/wasm/build.mjs; a test checks the committed bytes match this source.

/**
 * C[0:4·mPanels, 0:4·nPanels] += Ap · Bp for packed panels, 4 × 4 tiles in f64x2 registers.
 *
 * Ap: mPanels panels of kc × 4 doubles, Ap[(ip·kc + p)·4 + r] = A[4·ip + r, p].
 * Bp: nPanels panels of kc × 4 doubles, Bp[(jp·kc + p)·4 + c] = B[p, 4·jp + c].
 * C:  row-major with `ldc` doubles per row.
 *
 * Each entry's sum over p runs in order, starting from 0, and is added to C
 * once: the same arithmetic, operation for operation, as the TypeScript
 * blocked kernel (no fused multiply-add), so both give identical bits.
 */
export function panels(mPanels: i32, nPanels: i32, kc: i32, aPtr: usize, bPtr: usize, cPtr: usize, ldc: i32): void {
  const rowBytes = (<usize>ldc) << 3;
  const panelBytes = (<usize>kc) << 5;
  for (let jp = 0; jp < nPanels; jp++) {
    const bPanel = bPtr + <usize>jp * panelBytes;
    for (let ip = 0; ip < mPanels; ip++) {
      let ao = aPtr + <usize>ip * panelBytes;
      let bo = bPanel;
      let c00 = f64x2.splat(0);
      let c01 = f64x2.splat(0);
      let c10 = f64x2.splat(0);
      let c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0);
      let c21 = f64x2.splat(0);
      let c30 = f64x2.splat(0);
      let c31 = f64x2.splat(0);
      for (let p = 0; p < kc; p++) {
        const b01 = v128.load(bo);
        const b23 = v128.load(bo, 16);
        const a0 = v128.load64_splat(ao);
        const a1 = v128.load64_splat(ao, 8);
        const a2 = v128.load64_splat(ao, 16);
        const a3 = v128.load64_splat(ao, 24);
        c00 = f64x2.add(c00, f64x2.mul(a0, b01));
        c01 = f64x2.add(c01, f64x2.mul(a0, b23));
        c10 = f64x2.add(c10, f64x2.mul(a1, b01));
        c11 = f64x2.add(c11, f64x2.mul(a1, b23));
        c20 = f64x2.add(c20, f64x2.mul(a2, b01));
        c21 = f64x2.add(c21, f64x2.mul(a2, b23));
        c30 = f64x2.add(c30, f64x2.mul(a3, b01));
        c31 = f64x2.add(c31, f64x2.mul(a3, b23));
        ao += 32;
        bo += 32;
      }
      let co = cPtr + ((<usize>ip) << 2) * rowBytes + ((<usize>jp) << 5);
      v128.store(co, f64x2.add(v128.load(co), c00));
      v128.store(co, f64x2.add(v128.load(co, 16), c01), 16);
      co += rowBytes;
      v128.store(co, f64x2.add(v128.load(co), c10));
      v128.store(co, f64x2.add(v128.load(co, 16), c11), 16);
      co += rowBytes;
      v128.store(co, f64x2.add(v128.load(co), c20));
      v128.store(co, f64x2.add(v128.load(co, 16), c21), 16);
      co += rowBytes;
      v128.store(co, f64x2.add(v128.load(co), c30));
      v128.store(co, f64x2.add(v128.load(co, 16), c31), 16);
    }
  }
}
