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

/**
 * Cholesky factorisation of the symmetric n × n matrix at `ptr`, row-major (its lower triangle is
 * read, the strict upper one is left as it was): on success the lower triangle becomes L. It is
 * factored in a column-major copy after it (n² more doubles), so that each column's rows are
 * contiguous, then copied back. The arithmetic of choleskyInPlace in src/core/linalg/cholesky.ts
 * entry for entry: columns in pairs j, k = j + 1, the pivots and L[k][j] from their sums over p in
 * order, then every row i > k as a = G[i][j] − Σ_p L[i][p]·L[j][p] and b = G[i][k] − Σ_p L[i][p]·L[k][p]
 * (p in order), L[i][j] = a / L[j][j] and L[i][k] = (b − L[i][j]·L[k][j]) / L[k][k] — eight rows at
 * a time in f64x2 lanes, each lane its own entry: identical bits.
 *
 * @returns 1, or 0 when a pivot d_j is not above 1e-12 · G_jj (the matrix at `ptr` is then as it was).
 */
export function cholesky(ptr: usize, n: i32): i32 {
  const nb = (<usize>n) << 3;
  const cm = ptr + <usize>n * nb;
  for (let i = 0; i < n; i++)
    for (let p = 0; p <= i; p++)
      store<f64>(cm + <usize>p * nb + ((<usize>i) << 3), load<f64>(ptr + <usize>i * nb + ((<usize>p) << 3)));
  if (factorColumnMajor(cm, n) === 0) return 0;
  for (let i = 0; i < n; i++)
    for (let p = 0; p <= i; p++)
      store<f64>(ptr + <usize>i * nb + ((<usize>p) << 3), load<f64>(cm + <usize>p * nb + ((<usize>i) << 3)));
  return 1;
}

/** cholesky's factorisation, on the column-major copy at `ptr`. */
function factorColumnMajor(ptr: usize, n: i32): i32 {
  const nb = (<usize>n) << 3;
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const k = j + 1;
    const colJ = ptr + <usize>j * nb;
    const colK = colJ + nb;
    const jOff = (<usize>j) << 3;
    const kOff = (<usize>k) << 3;
    const gjj = load<f64>(colJ + jOff);
    const gkk = load<f64>(colK + kOff);
    let dj = gjj;
    let sk = load<f64>(colJ + kOff);
    let dk = gkk;
    for (let p = 0; p < j; p++) {
      const colP = ptr + <usize>p * nb;
      const a = load<f64>(colP + jOff);
      const b = load<f64>(colP + kOff);
      dj -= a * a;
      sk -= b * a;
      dk -= b * b;
    }
    if (!(dj > 1e-12 * gjj && dj > 0)) return 0;
    const ljj = sqrt<f64>(dj);
    const lkj = sk / ljj;
    dk -= lkj * lkj;
    if (!(dk > 1e-12 * gkk && dk > 0)) return 0;
    const lkk = sqrt<f64>(dk);
    store<f64>(colJ + jOff, ljj);
    store<f64>(colJ + kOff, lkj);
    store<f64>(colK + kOff, lkk);
    const vjj = f64x2.splat(ljj);
    const vkj = f64x2.splat(lkj);
    const vkk = f64x2.splat(lkk);
    let i = k + 1;
    for (; i + 7 < n; i += 8) {
      const iOff = (<usize>i) << 3;
      let a0 = v128.load(colJ + iOff);
      let a1 = v128.load(colJ + iOff, 16);
      let a2 = v128.load(colJ + iOff, 32);
      let a3 = v128.load(colJ + iOff, 48);
      let b0 = v128.load(colK + iOff);
      let b1 = v128.load(colK + iOff, 16);
      let b2 = v128.load(colK + iOff, 32);
      let b3 = v128.load(colK + iOff, 48);
      for (let p = 0; p < j; p++) {
        const colP = ptr + <usize>p * nb;
        const lj = v128.load64_splat(colP + jOff);
        const lk = v128.load64_splat(colP + kOff);
        const x0 = v128.load(colP + iOff);
        const x1 = v128.load(colP + iOff, 16);
        const x2 = v128.load(colP + iOff, 32);
        const x3 = v128.load(colP + iOff, 48);
        a0 = f64x2.sub(a0, f64x2.mul(x0, lj));
        a1 = f64x2.sub(a1, f64x2.mul(x1, lj));
        a2 = f64x2.sub(a2, f64x2.mul(x2, lj));
        a3 = f64x2.sub(a3, f64x2.mul(x3, lj));
        b0 = f64x2.sub(b0, f64x2.mul(x0, lk));
        b1 = f64x2.sub(b1, f64x2.mul(x1, lk));
        b2 = f64x2.sub(b2, f64x2.mul(x2, lk));
        b3 = f64x2.sub(b3, f64x2.mul(x3, lk));
      }
      a0 = f64x2.div(a0, vjj);
      a1 = f64x2.div(a1, vjj);
      a2 = f64x2.div(a2, vjj);
      a3 = f64x2.div(a3, vjj);
      v128.store(colJ + iOff, a0);
      v128.store(colJ + iOff, a1, 16);
      v128.store(colJ + iOff, a2, 32);
      v128.store(colJ + iOff, a3, 48);
      v128.store(colK + iOff, f64x2.div(f64x2.sub(b0, f64x2.mul(a0, vkj)), vkk));
      v128.store(colK + iOff, f64x2.div(f64x2.sub(b1, f64x2.mul(a1, vkj)), vkk), 16);
      v128.store(colK + iOff, f64x2.div(f64x2.sub(b2, f64x2.mul(a2, vkj)), vkk), 32);
      v128.store(colK + iOff, f64x2.div(f64x2.sub(b3, f64x2.mul(a3, vkj)), vkk), 48);
    }
    for (; i < n; i++) {
      const iOff = (<usize>i) << 3;
      let a = load<f64>(colJ + iOff);
      let b = load<f64>(colK + iOff);
      for (let p = 0; p < j; p++) {
        const colP = ptr + <usize>p * nb;
        const x = load<f64>(colP + iOff);
        a -= x * load<f64>(colP + jOff);
        b -= x * load<f64>(colP + kOff);
      }
      a /= ljj;
      store<f64>(colJ + iOff, a);
      store<f64>(colK + iOff, (b - a * lkj) / lkk);
    }
  }
  // An odd n leaves the last column: its pivot alone.
  if (j < n) {
    const colJ = ptr + <usize>j * nb;
    const jOff = (<usize>j) << 3;
    const gjj = load<f64>(colJ + jOff);
    let d = gjj;
    for (let p = 0; p < j; p++) {
      const l = load<f64>(ptr + <usize>p * nb + jOff);
      d -= l * l;
    }
    if (!(d > 1e-12 * gjj && d > 0)) return 0;
    store<f64>(colJ + jOff, sqrt<f64>(d));
  }
  return 1;
}
