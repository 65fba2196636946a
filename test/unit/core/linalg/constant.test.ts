import { describe, expect, it } from 'vitest';
import { blockedKernel } from '../../../../src/core/linalg/blockedKernel';
import { isConstant, markConstant } from '../../../../src/core/linalg/constant';
import { matrix } from '../../../../src/core/linalg/matrix';
import { createRng } from '../../../../src/core/linalg/rng';
import { createWasmKernel } from '../../../../src/core/linalg/wasmKernel';

describe('constant left operands (packed once)', () => {
  const wasm = createWasmKernel();
  const rng = createRng(17);
  // Larger than one packed block in both directions (MC = 128 rows, KC = 256 inner).
  const a = matrix(300, 600, rng.fillGaussian(new Float64Array(300 * 600)));
  const bias = rng.fillGaussian(new Float64Array(300));

  it.skipIf(wasm === undefined)('gives the bits of the unmarked product, on the first use and on the reuse', () => {
    const plain = matrix(300, 600, Float64Array.from(a.data));
    const marked = markConstant(matrix(300, 600, Float64Array.from(a.data)));
    expect(isConstant(marked)).toBe(true);
    expect(isConstant(plain)).toBe(false);
    for (const cols of [7, 64, 1]) {
      const b = matrix(600, cols, rng.fillGaussian(new Float64Array(600 * cols)));
      const reference = blockedKernel.gemm(plain, b, matrix(300, cols), { bias }).data;
      for (let round = 0; round < 2; round++) {
        expect(wasm!.gemm(marked, b, matrix(300, cols), { bias }).data).toEqual(reference);
        expect(wasm!.gemm(plain, b, matrix(300, cols), { bias }).data).toEqual(reference);
      }
    }
    // The packed panels are reused, not repacked: a marked matrix written into (breaking the
    // promise) still multiplies as it was — which is why marking is only for weights.
    const b = matrix(600, 8, rng.fillGaussian(new Float64Array(600 * 8)));
    const before = wasm!.gemm(marked, b, matrix(300, 8)).data;
    marked.data.fill(0);
    expect(wasm!.gemm(marked, b, matrix(300, 8)).data).toEqual(before);
    marked.data.set(a.data);
    // Index restrictions are packed afresh (the cache holds whole blocks only).
    const rows = Int32Array.from([5, 0, 299, 128]);
    const b5 = matrix(600, 5, rng.fillGaussian(new Float64Array(600 * 5)));
    expect(wasm!.gemm(marked, b5, matrix(4, 5), { rows }).data).toEqual(
      blockedKernel.gemm(plain, b5, matrix(4, 5), { rows }).data,
    );
  });

  it.skipIf(wasm === undefined)(
    'gives the same bits where its blocks outgrow the module’s room (kept outside, copied in), and around a Cholesky factorisation',
    () => {
      // Room for one packed block of 128 × 256 (the first), not for the rest.
      const small = createWasmKernel(128 * 256 * 8)!;
      const marked = markConstant(matrix(300, 600, Float64Array.from(a.data)));
      const b = matrix(600, 9, rng.fillGaussian(new Float64Array(600 * 9)));
      const reference = blockedKernel.gemm(a, b, matrix(300, 9), { bias }).data;
      expect(small.gemm(marked, b, matrix(300, 9), { bias }).data).toEqual(reference);
      // A factorisation uses the memory after the resident blocks: they survive it.
      const g = new Float64Array(40 * 40);
      for (let i = 0; i < 40; i++) g[i * 40 + i] = 2 + i;
      expect(small.cholesky!(g, 40)).toBe(true);
      expect(small.gemm(marked, b, matrix(300, 9), { bias }).data).toEqual(reference);
    },
  );
});
