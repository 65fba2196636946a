import { isConstant } from './constant';
import type { Matrix } from './matrix';
import { narrowProduct } from './narrowProduct';
import { KC, MC, MR, NR, packAPanels, packBPanels } from './packing';
import { checkProduct, type ProductKernel } from './products';
import { GEMM_WASM } from './wasmGemmBytes';

/*
 * The product kernel in WebAssembly SIMD (tools/wasm/gemm.ts, f64x2): the
 * same packed-panel algorithm as the TypeScript blocked kernel, with the 4 × 4
 * tiles computed in the WebAssembly module. Packing stays in TypeScript (it
 * applies the index restrictions) and writes straight into the module's
 * memory. Each output entry gets the same operations in the same order as in
 * the blocked kernel, so the two give identical bits — and every solver's
 * result is the same whichever kernel runs.
 *
 * Loop order: column blocks of NC, row blocks of MC, inner blocks of KC; the
 * C block (MC × NC) lives in the module's memory, so memory stays fixed (about
 * 1.8 MiB) whatever the product's size.
 *
 * Constant left operands (linalg/constant.ts) are packed once into the
 * module's memory after the C block, up to RESIDENT_BYTES, and read there.
 *
 * The module also factors Cholesky (`cholesky`, for choleskyInPlace): the
 * matrix is copied in after the resident blocks (the module transposes it for
 * itself), and the memory grows to hold the largest order factored so far (at
 * most CHOLESKY_MAX).
 */

/** Column block: a packed B block (KC × NC doubles = 1 MiB). */
const NC = 512;
const A_BYTES = MC * KC * 8;
const B_BYTES = KC * NC * 8;
const C_BYTES = MC * NC * 8;
const A_PTR = 0;
const B_PTR = A_PTR + A_BYTES;
const C_PTR = B_PTR + B_BYTES;
const PAGE = 65536;
/** Where constant operands' packed blocks start, after the product's blocks. */
const RESIDENT_PTR = C_PTR + C_BYTES;
/**
 * Room for constant operands' packed blocks in the module's memory, kept for the thread's life
 * (the memory cannot shrink): a product then reads them where they lie, where copying them in
 * on every call cost a quarter of a short product's time (2.4 MB for MNIST's last layer). Beyond
 * it, blocks are kept on the JavaScript side and copied in, as before.
 */
const RESIDENT_BYTES = 64 * 1024 * 1024;
/**
 * Largest order factored in the module: its 2n² doubles stay allocated in the module's memory
 * (which cannot shrink) for the thread's life — 32 MiB at 1448. Larger ones take the TypeScript loop.
 */
const CHOLESKY_MAX = 1448;

/** The part of the WebAssembly API this module uses (core has no DOM or Node typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type CholeskyFn = (ptr: number, n: number) => number;
type PanelsFn = (
  mPanels: number,
  nPanels: number,
  kc: number,
  aPtr: number,
  bPtr: number,
  cPtr: number,
  ldc: number,
) => void;

/**
 * Packed A blocks of constant left operands (linalg/constant.ts), by the
 * matrix's data and the block's (ic, pc): packed on their first product,
 * copied into the module's memory on the next ones. The same bytes as
 * packing afresh, so the same bits.
 */
const packedBlocks = new WeakMap<Float64Array, Map<number, Float64Array>>();

/** Why the WebAssembly kernel is unavailable, when it is (see createWasmKernel). */
export let wasmUnavailableReason: string | undefined;

/**
 * Instantiates the WebAssembly kernel. Returns undefined (and sets
 * `wasmUnavailableReason`) where WebAssembly or its SIMD extension is missing,
 * or where compiling is forbidden (a Content-Security-Policy without
 * 'wasm-unsafe-eval'); callers then keep the TypeScript kernel.
 *
 * @param residentBytes room for constant operands' packed blocks in the module (tests set it small).
 */
export function createWasmKernel(residentBytes = RESIDENT_BYTES): ProductKernel | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return unavailable('this JavaScript engine has no WebAssembly');
  if (!wasm.validate(GEMM_WASM)) return unavailable('this engine lacks WebAssembly SIMD (f64x2)');
  let panels: PanelsFn;
  let choleskyFn: CholeskyFn;
  let memory: WasmMemory;
  try {
    const instance = new wasm.Instance(new wasm.Module(GEMM_WASM), {});
    panels = instance.exports.panels as PanelsFn;
    choleskyFn = instance.exports.cholesky as CholeskyFn;
    memory = instance.exports.memory as WasmMemory;
    // The operands start at address 0: the module must own no memory of its own
    // (no static data, no stack), which a rebuilt gemm.ts could add.
    if (memory.buffer.byteLength !== 0) return unavailable('the kernel module has static memory; rebuild it');
    const need = Math.ceil((C_PTR + C_BYTES) / PAGE) - memory.buffer.byteLength / PAGE;
    if (need > 0) memory.grow(need);
  } catch (e) {
    return unavailable(`WebAssembly could not be instantiated: ${e instanceof Error ? e.message : String(e)}`);
  }
  wasmUnavailableReason = undefined;
  // Views of the module's memory; growing it (a larger factorisation) replaces its buffer.
  let packA = new Float64Array(memory.buffer, A_PTR, A_BYTES / 8);
  let packB = new Float64Array(memory.buffer, B_PTR, B_BYTES / 8);
  let cBlock = new Float64Array(memory.buffer, C_PTR, C_BYTES / 8);
  // Constant operands' packed blocks in the module's memory: block (ic, pc) of a matrix at a pointer.
  const resident = new WeakMap<Float64Array, Map<number, number>>();
  let residentTop = RESIDENT_PTR;
  const ensure = (bytes: number) => {
    const need = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
    if (need <= 0) return;
    memory.grow(need);
    packA = new Float64Array(memory.buffer, A_PTR, A_BYTES / 8);
    packB = new Float64Array(memory.buffer, B_PTR, B_BYTES / 8);
    cBlock = new Float64Array(memory.buffer, C_PTR, C_BYTES / 8);
  };

  return {
    name: 'wasm-simd',
    cholesky(g: Float64Array, n: number): boolean | undefined {
      if (n > CHOLESKY_MAX) return undefined;
      // The matrix in, row-major, and room for the module's column-major working copy after it.
      const at = residentTop;
      ensure(at + 2 * n * n * 8);
      const m = new Float64Array(memory.buffer, at, n * n);
      m.set(g.subarray(0, n * n));
      if (choleskyFn(at, n) === 0) return false;
      g.set(m);
      return true;
    },
    gemm(a: Matrix, b: Matrix, out: Matrix, options = {}) {
      const { m, k, n } = checkProduct(a, b, out, options);
      if (n === 1) {
        narrowProduct(a.data, a.cols, b.data, b.cols, out.data, m, k, n, options);
        return out;
      }
      const { rows, inner, cols, bias } = options;
      const C = out.data;
      let cached: Map<number, Float64Array> | undefined;
      let placed: Map<number, number> | undefined;
      if (rows === undefined && inner === undefined && isConstant(a)) {
        cached = packedBlocks.get(a.data);
        if (cached === undefined) packedBlocks.set(a.data, (cached = new Map()));
        placed = resident.get(a.data);
        if (placed === undefined) resident.set(a.data, (placed = new Map()));
      }
      for (let jc = 0; jc < n; jc += NC) {
        const nc = Math.min(NC, n - jc);
        const nPanels = Math.ceil(nc / NR);
        const ldc = nPanels * NR;
        // A narrow B (the usual chunk of signals) fits the B area whole: packed once for every
        // row block, where it was packed again for each (the same panels, so the same bits).
        const packedOnce = k * ldc <= B_BYTES / 8;
        if (packedOnce)
          for (let pc = 0; pc < k; pc += KC)
            packBPanels(packB.subarray(pc * ldc), b.data, b.cols, inner, cols, pc, Math.min(KC, k - pc), jc, nc);
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          const mPanels = Math.ceil(mc / MR);
          // Start from the bias (or zero), padded rows and columns included.
          for (let i = 0; i < mPanels * MR; i++) {
            const init = bias === undefined || ic + i >= m ? 0 : bias[rows === undefined ? ic + i : rows[ic + i]];
            cBlock.fill(init, i * ldc, (i + 1) * ldc);
          }
          for (let pc = 0; pc < k; pc += KC) {
            const kc = Math.min(KC, k - pc);
            if (!packedOnce) packBPanels(packB, b.data, b.cols, inner, cols, pc, kc, jc, nc);
            const bPtr = packedOnce ? B_PTR + pc * ldc * 8 : B_PTR;
            let aPtr = A_PTR;
            if (cached === undefined || placed === undefined)
              packAPanels(packA, a.data, a.cols, rows, inner, ic, mc, pc, kc);
            else {
              // ic < 2^26 and pc < 2^26 for any matrix that fits in memory: one number keys the block.
              const key = ic * 67108864 + pc;
              const size = mPanels * MR * kc;
              const at = placed.get(key);
              const block = cached.get(key);
              if (at !== undefined) aPtr = at;
              else if (block !== undefined) packA.set(block);
              else if (residentTop + size * 8 <= RESIDENT_PTR + residentBytes) {
                // Growing the memory keeps its contents (B and C as packed so far) and renews the views.
                ensure(residentTop + size * 8);
                packAPanels(
                  new Float64Array(memory.buffer, residentTop, size),
                  a.data,
                  a.cols,
                  undefined,
                  undefined,
                  ic,
                  mc,
                  pc,
                  kc,
                );
                placed.set(key, (aPtr = residentTop));
                residentTop += size * 8;
              } else {
                packAPanels(packA, a.data, a.cols, undefined, undefined, ic, mc, pc, kc);
                cached.set(key, packA.slice(0, size));
              }
            }
            panels(mPanels, nPanels, kc, aPtr, bPtr, C_PTR, ldc);
          }
          for (let i = 0; i < mc; i++) C.set(cBlock.subarray(i * ldc, i * ldc + nc), (ic + i) * n + jc);
        }
      }
      return out;
    },
  };
}

function unavailable(reason: string): undefined {
  wasmUnavailableReason = reason;
  return undefined;
}
