import { afterEach, describe, expect, it } from 'vitest';
import { blockedKernel } from '../../../../src/core/linalg/blockedKernel';
import { gemm, gemmSubset, productKernel, useProductKernel } from '../../../../src/core/linalg/gemm';
import { matrix, type Matrix } from '../../../../src/core/linalg/matrix';
import { checkProduct, referenceKernel, type ProductOptions } from '../../../../src/core/linalg/products';
import { createRng, type Rng } from '../../../../src/core/linalg/rng';
import { createWasmKernel, wasmUnavailableReason } from '../../../../src/core/linalg/wasmKernel';

// Node 20 has WebAssembly SIMD: the kernel must instantiate here (no silent fallback in tests).
const wasmKernel = createWasmKernel()!;

const random = (rng: Rng, rows: number, cols: number): Matrix =>
  matrix(rows, cols, rng.fillGaussian(new Float64Array(rows * cols)));

/** A[rows, inner] · B[inner, cols] + bias[rows], by copying the sub-matrices out first, then a naive product. */
function gatherThenMultiply(a: Matrix, b: Matrix, options: ProductOptions = {}): Matrix {
  const rows = options.rows ?? Int32Array.from({ length: a.rows }, (_, i) => i);
  const inner = options.inner ?? Int32Array.from({ length: a.cols }, (_, i) => i);
  const cols = options.cols ?? Int32Array.from({ length: b.cols }, (_, i) => i);
  const m = rows.length;
  const k = inner.length;
  const n = cols.length;
  const as = matrix(m, k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) as.data[i * k + p] = a.data[rows[i] * a.cols + inner[p]];
  const bs = matrix(k, n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bs.data[p * n + j] = b.data[inner[p] * b.cols + cols[j]];
  const out = matrix(m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = options.bias === undefined ? 0 : options.bias[rows[i]];
      for (let p = 0; p < k; p++) s += as.data[i * k + p] * bs.data[p * n + j];
      out.data[i * n + j] = s;
    }
  }
  return out;
}

/** Entry-wise |x − y| ≤ tol · (|y| + scale), scale = the size of the terms (avoids cancellation false alarms). */
function expectClose(actual: Matrix, expected: Matrix, scale: number, tol = 1e-12): void {
  expect(actual.rows).toBe(expected.rows);
  expect(actual.cols).toBe(expected.cols);
  let worst = 0;
  let nonFinite = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const err = Math.abs(actual.data[i] - expected.data[i]) / (Math.abs(expected.data[i]) + scale);
    if (!Number.isFinite(actual.data[i])) nonFinite++;
    worst = Math.max(worst, err);
  }
  expect(nonFinite).toBe(0);
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Runs the three kernels (out pre-filled with garbage, which must be overwritten) and the gather oracle. */
function compareAll(a: Matrix, b: Matrix, options: ProductOptions = {}): Matrix {
  const m = options.rows?.length ?? a.rows;
  const n = options.cols?.length ?? b.cols;
  const k = options.inner?.length ?? a.cols;
  const blocked = blockedKernel.gemm(a, b, matrix(m, n, new Float64Array(m * n).fill(123.5)), options);
  const reference = referenceKernel.gemm(a, b, matrix(m, n, new Float64Array(m * n).fill(-7)), options);
  const gathered = gatherThenMultiply(a, b, options);
  // Gaussian entries: each term is O(1), a sum of k terms is O(√k).
  const scale = Math.sqrt(Math.max(k, 1));
  // The WebAssembly kernel does the blocked kernel's operations in the same order: identical bits.
  const wasm = wasmKernel.gemm(a, b, matrix(m, n, new Float64Array(m * n).fill(Number.NaN)), options);
  let differing = 0;
  for (let i = 0; i < wasm.data.length; i++) if (!Object.is(wasm.data[i], blocked.data[i])) differing++;
  expect(differing).toBe(0);
  expectClose(blocked, reference, scale);
  expectClose(blocked, gathered, scale);
  expectClose(reference, gathered, scale);
  return blocked;
}

describe('blockedKernel.gemm', () => {
  it('is named and returns the out matrix it was given', () => {
    expect(blockedKernel.name).toBe('blocked-ts');
    expect(referenceKernel.name).toBe('reference');
    const out = matrix(2, 2);
    expect(blockedKernel.gemm(matrix(2, 3), matrix(3, 2), out)).toBe(out);
    expect(referenceKernel.gemm(matrix(2, 3), matrix(3, 2), out)).toBe(out);
  });

  it('computes a hand-made 3×5 · 5×2 product exactly', () => {
    const a = matrix(3, 5, Float64Array.from([1, 2, 3, 4, 5, 0, -1, 0, 1, 0, 2, 2, 2, 2, 2]));
    const b = matrix(5, 2, Float64Array.from([1, 0, 0, 1, 1, 1, -1, 2, 3, -3]));
    // Row 0: [1+0+3-4+15, 0+2+3+8-15] ; row 1: [0+0+0-1+0, 0-1+0+2+0] ; row 2: 2·column sums [4, 1].
    const expected = [15, -2, -1, 1, 8, 2];
    expect(Array.from(blockedKernel.gemm(a, b, matrix(3, 2)).data)).toEqual(expected);
    expect(Array.from(referenceKernel.gemm(a, b, matrix(3, 2)).data)).toEqual(expected);
  });

  it('matches the reference and a gather-then-multiply on shapes that are not multiples of the tiles or blocks', () => {
    const rng = createRng(11);
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 2],
      [4, 4, 4],
      [5, 3, 5],
      [7, 9, 1],
      [1, 300, 1],
      [130, 259, 7],
      [128, 256, 8],
      [129, 257, 9],
      [2, 513, 6],
      [260, 3, 3],
      [6, 20, 70],
    ];
    for (const [m, k, n] of shapes) {
      const a = random(rng, m, k);
      const b = random(rng, k, n);
      compareAll(a, b);
      // And with a bias (one per row of A).
      compareAll(a, b, { bias: rng.fillGaussian(new Float64Array(m)) });
    }
  });

  it('handles zero dimensions: m = 0, n = 0, and k = 0 (out becomes zero, or the bias)', () => {
    for (const kernel of [blockedKernel, referenceKernel]) {
      expect(kernel.gemm(matrix(0, 3), matrix(3, 4), matrix(0, 4)).data.length).toBe(0);
      expect(kernel.gemm(matrix(3, 4), matrix(4, 0), matrix(3, 0)).data.length).toBe(0);
      const zeroed = kernel.gemm(matrix(2, 0), matrix(0, 3), matrix(2, 3, new Float64Array(6).fill(9)));
      expect(Array.from(zeroed.data)).toEqual([0, 0, 0, 0, 0, 0]);
      const biased = kernel.gemm(matrix(2, 0), matrix(0, 3), matrix(2, 3, new Float64Array(6).fill(9)), {
        bias: Float64Array.from([1.5, -2]),
      });
      expect(Array.from(biased.data)).toEqual([1.5, 1.5, 1.5, -2, -2, -2]);
      // Empty inner index on non-empty matrices: only the bias remains, on the selected rows.
      const emptyInner = kernel.gemm(matrix(3, 4, new Float64Array(12).fill(1)), matrix(4, 2), matrix(2, 2), {
        rows: Int32Array.from([2, 0]),
        inner: new Int32Array(0),
        bias: Float64Array.from([10, 20, 30]),
      });
      expect(Array.from(emptyInner.data)).toEqual([30, 30, 10, 10]);
      // Empty row subset.
      expect(kernel.gemm(matrix(3, 4), matrix(4, 2), matrix(0, 2), { rows: new Int32Array(0) }).data.length).toBe(0);
    }
  });

  it('applies rows / inner / cols subsets (unsorted, repeated, overlapping) and the bias by original row', () => {
    const rng = createRng(12);
    const a = random(rng, 9, 11);
    const b = random(rng, 11, 8);
    const bias = rng.fillGaussian(new Float64Array(9));
    const rows = Int32Array.from([8, 2, 2, 5, 0, 7]);
    const inner = Int32Array.from([10, 0, 3, 3, 7, 1, 4]);
    // Overlaps rows (same index values 2, 5, 0, 7) and is unsorted.
    const cols = Int32Array.from([7, 2, 5, 0, 2]);
    const out = compareAll(a, b, { rows, inner, cols, bias });
    // Spot-check one entry by hand: out[1][3] = bias[2] + Σ_p A[2, inner[p]] · B[inner[p], 0].
    let s = bias[2];
    for (const p of inner) s += a.data[2 * 11 + p] * b.data[p * 8 + 0];
    expect(out.data[1 * 5 + 3]).toBeCloseTo(s, 12);
    // Repeated row index: identical output rows.
    expect(Array.from(out.data.subarray(5, 10))).toEqual(Array.from(out.data.subarray(10, 15)));
    // Each option alone.
    compareAll(a, b, { rows });
    compareAll(a, b, { inner });
    compareAll(a, b, { cols });
    compareAll(a, b, { rows, bias });
  });

  it('applies subsets across block boundaries (KC = 256, MC = 128)', () => {
    const rng = createRng(13);
    const a = random(rng, 200, 300);
    const b = random(rng, 300, 40);
    const shuffle = (n: number, take: number) => {
      const idx = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.uniform() * (i + 1));
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      return idx.slice(0, take);
    };
    compareAll(a, b, {
      rows: shuffle(200, 131),
      inner: shuffle(300, 270),
      cols: shuffle(40, 13),
      bias: rng.fillGaussian(new Float64Array(200)),
    });
    // inner may be used when A's columns and B's rows differ in number (indices valid in both).
    const wideA = random(rng, 5, 20);
    const shortB = random(rng, 12, 6);
    compareAll(wideA, shortB, { inner: Int32Array.from([11, 0, 5, 5, 3]) });
  });

  it('does not keep state from a previous, larger product (reused packing buffers)', () => {
    const rng = createRng(14);
    const big = [random(rng, 140, 270), random(rng, 270, 21)] as const;
    compareAll(...big);
    const small = [random(rng, 6, 7), random(rng, 7, 5)] as const;
    compareAll(...small);
    compareAll(...big, { cols: Int32Array.from([3, 1]) });
  });
});

describe('checkProduct', () => {
  it('returns the resolved sizes', () => {
    expect(checkProduct(matrix(4, 6), matrix(6, 5), matrix(4, 5))).toEqual({ m: 4, k: 6, n: 5 });
    expect(
      checkProduct(matrix(4, 6), matrix(6, 5), matrix(2, 3), {
        rows: Int32Array.from([3, 0]),
        inner: Int32Array.from([5]),
        cols: Int32Array.from([4, 4, 0]),
      }),
    ).toEqual({ m: 2, k: 1, n: 3 });
  });

  it('refuses a wrong out shape, a wrong bias length and mismatched inner sizes', () => {
    for (const kernel of [blockedKernel, referenceKernel]) {
      expect(() => kernel.gemm(matrix(2, 3), matrix(3, 2), matrix(2, 3))).toThrow(RangeError);
      expect(() => kernel.gemm(matrix(2, 3), matrix(3, 2), matrix(2, 3))).toThrow('out must be 2×2, got 2×3');
      expect(() => kernel.gemm(matrix(4, 3), matrix(3, 2), matrix(2, 2), { rows: Int32Array.from([0, 1, 2]) })).toThrow(
        'out must be 3×2',
      );
      // The bias is indexed by A's rows, so it needs a.rows entries even with a row subset.
      expect(() =>
        kernel.gemm(matrix(4, 3), matrix(3, 2), matrix(2, 2), {
          rows: Int32Array.from([0, 1]),
          bias: new Float64Array(2),
        }),
      ).toThrow('bias must have 4 entries');
      expect(() => kernel.gemm(matrix(2, 3), matrix(4, 2), matrix(2, 2))).toThrow('A is 2×3 but B is 4×2');
    }
  });

  it('refuses indices out of range, naming the index and the range', () => {
    const a = matrix(4, 3);
    const b = matrix(3, 5);
    for (const kernel of [blockedKernel, referenceKernel]) {
      expect(() => kernel.gemm(a, b, matrix(2, 5), { rows: Int32Array.from([0, 4]) })).toThrow(
        'rows[1] = 4 is outside 0…3',
      );
      expect(() => kernel.gemm(a, b, matrix(1, 5), { rows: Int32Array.from([-1]) })).toThrow('outside');
      expect(() => kernel.gemm(a, b, matrix(4, 5), { inner: Int32Array.from([3]) })).toThrow(
        'inner[0] = 3 is outside 0…2',
      );
      expect(() => kernel.gemm(a, b, matrix(4, 2), { cols: Int32Array.from([2, 5]) })).toThrow(
        'cols[1] = 5 is outside 0…4',
      );
      // inner is limited by the smaller of A's columns and B's rows.
      expect(() => kernel.gemm(matrix(2, 6), matrix(4, 1), matrix(2, 1), { inner: Int32Array.from([4]) })).toThrow(
        'inner[0] = 4 is outside 0…3',
      );
    }
  });

  it('leaves out untouched when the check fails', () => {
    const out = matrix(2, 2, Float64Array.from([1, 2, 3, 4]));
    expect(() => blockedKernel.gemm(matrix(2, 3), matrix(3, 2), out, { cols: Int32Array.from([0, 9]) })).toThrow();
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('the WebAssembly SIMD kernel', () => {
  it('instantiates under Node 20 and says nothing is missing', () => {
    expect(wasmKernel.name).toBe('wasm-simd');
    expect(wasmUnavailableReason).toBeUndefined();
  });

  it("gives the blocked kernel's bits across its column block (NC = 512) and both row and inner blocks", () => {
    const rng = createRng(16);
    const a = random(rng, 133, 260);
    const b = random(rng, 260, 1030);
    compareAll(a, b, { bias: rng.fillGaussian(new Float64Array(133)) });
    // A garbage-filled out is fully overwritten: checked by compareAll's NaN fill.
    compareAll(a, b, { cols: Int32Array.from({ length: 700 }, (_, j) => (j * 7) % 1030) });
  });
});

describe('one-column products (unpacked path)', () => {
  it('give, to the bit, the first column of the same product with a second column (packed path)', () => {
    const rng = createRng(17);
    const a = random(rng, 133, 600); // k > 2·KC: three inner blocks
    const b2 = random(rng, 600, 2);
    const b1 = matrix(
      600,
      1,
      Float64Array.from({ length: 600 }, (_, p) => b2.data[p * 2]),
    );
    const bias = rng.fillGaussian(new Float64Array(133));
    const rows = Int32Array.from({ length: 70 }, (_, i) => (i * 17) % 133);
    const inner = Int32Array.from({ length: 500 }, (_, p) => (p * 7) % 600);
    for (const options of [{}, { bias }, { rows, inner, bias }] as ProductOptions[]) {
      const m = options.rows?.length ?? 133;
      for (const kernel of [wasmKernel, blockedKernel]) {
        const one = kernel.gemm(a, b1, matrix(m, 1), options);
        const two = kernel.gemm(a, b2, matrix(m, 2), options);
        let differing = 0;
        for (let i = 0; i < m; i++) if (!Object.is(one.data[i], two.data[i * 2])) differing++;
        expect(differing).toBe(0);
      }
      compareAll(a, b1, options);
    }
    // A column picked by `cols` from a wider B takes the same path.
    compareAll(a, b2, { cols: Int32Array.from([1]), bias });
  });
});

describe('gemm / gemmSubset / useProductKernel', () => {
  const initial = productKernel();
  afterEach(() => {
    useProductKernel(initial);
  });

  it('uses the WebAssembly kernel by default where it runs, and lets a kernel be swapped and restored', () => {
    expect(initial.name).toBe('wasm-simd');
    const previous = useProductKernel(referenceKernel);
    expect(previous).toBe(initial);
    expect(productKernel()).toBe(referenceKernel);
    expect(productKernel().name).toBe('reference');
    expect(useProductKernel(previous)).toBe(referenceKernel);
    expect(productKernel().name).toBe('wasm-simd');
  });

  it('routes gemm and gemmSubset through the kernel in use', () => {
    const calls: (ProductOptions | undefined)[] = [];
    const spy = {
      name: 'spy',
      gemm(a: Matrix, b: Matrix, out: Matrix, options?: ProductOptions) {
        calls.push(options);
        return referenceKernel.gemm(a, b, out, options);
      },
    };
    useProductKernel(spy);
    const a = matrix(2, 2, Float64Array.from([1, 2, 3, 4]));
    const b = matrix(2, 1, Float64Array.from([5, 6]));
    expect(Array.from(gemm(a, b, matrix(2, 1)).data)).toEqual([17, 39]);
    expect(calls[0]).toBeUndefined();
    const bias = Float64Array.from([1, -1]);
    expect(Array.from(gemm(a, b, matrix(2, 1), bias).data)).toEqual([18, 38]);
    expect(calls[1]).toEqual({ bias });
    const options = { rows: Int32Array.from([1]), inner: Int32Array.from([1]) };
    expect(Array.from(gemmSubset(a, b, matrix(1, 1), options).data)).toEqual([24]);
    expect(calls[2]).toBe(options);
    expect(calls).toHaveLength(3);
  });

  it('gives the same products with either kernel', () => {
    const rng = createRng(15);
    const a = random(rng, 37, 29);
    const b = random(rng, 29, 11);
    const bias = rng.fillGaussian(new Float64Array(37));
    const options = { rows: Int32Array.from([36, 0, 17]), cols: Int32Array.from([10, 3]), bias };
    const blocked = [gemm(a, b, matrix(37, 11), bias), gemmSubset(a, b, matrix(3, 2), options)];
    useProductKernel(referenceKernel);
    const reference = [gemm(a, b, matrix(37, 11), bias), gemmSubset(a, b, matrix(3, 2), options)];
    expectClose(blocked[0], reference[0], Math.sqrt(29));
    expectClose(blocked[1], reference[1], Math.sqrt(29));
  });
});
