import { blockedKernel } from './blockedKernel';
import type { Matrix } from './matrix';
import type { ProductKernel, ProductOptions } from './products';
import { createWasmKernel } from './wasmKernel';

// WebAssembly SIMD where the engine allows it (≈4.5× faster here), else the
// TypeScript kernel; both give identical bits, so results do not depend on it.
let kernel: ProductKernel = createWasmKernel() ?? blockedKernel;

/** Replaces the product kernel every solver uses (e.g. with a WebAssembly one); returns the previous. */
export function useProductKernel(next: ProductKernel): ProductKernel {
  const previous = kernel;
  kernel = next;
  return previous;
}

/** The kernel in use. */
export function productKernel(): ProductKernel {
  return kernel;
}

/**
 * out = A · B (+ bias broadcast over columns), optionally on index subsets
 * (see ProductOptions). A is `m × k`, B is `k × n`, out `m × n`, row-major.
 * Batches of signals are the columns of B, so one call serves every signal.
 *
 * @example
 * // pre-activations of a layer for every signal: W (n1 × n0) · Z (n0 × count) + b
 * gemm(W, Z, out, b);
 */
export function gemm(a: Matrix, b: Matrix, out: Matrix, bias?: Float64Array): Matrix {
  return kernel.gemm(a, b, out, bias === undefined ? undefined : { bias });
}

/** out = A[rows, inner] · B[inner, cols] (+ bias[rows]); see ProductOptions. */
export function gemmSubset(a: Matrix, b: Matrix, out: Matrix, options: ProductOptions): Matrix {
  return kernel.gemm(a, b, out, options);
}
