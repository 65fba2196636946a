import { matrix, type Matrix } from '../linalg/matrix';
import { gemm } from '../linalg/gemm';
import { createRng } from '../linalg/rng';
import { measurementMatrix, type MeasureSpec } from './measurement';

/** How the observed signal was corrupted: y = M(G(z)) + e. */
export type NoiseSpec =
  | { readonly kind: 'none' }
  /** e ~ N(0, σ² I) on the known pixels. */
  | { readonly kind: 'gaussian'; readonly sigma: number }
  /** ‖e‖₂ = ε exactly (a uniformly random direction): the worst case of ‖e‖₂ ≤ ε. */
  | { readonly kind: 'bounded'; readonly epsilon: number };

/** Which pixels are known. */
export type MaskSpec =
  | { readonly kind: 'none' }
  /** Each signal hides its own random `fraction` of the pixels (exactly round(fraction·n) of them). */
  | { readonly kind: 'random'; readonly fraction: number }
  /**
   * Hides image rows `from`…`to` (inclusive, 0-based) of a square image of
   * side √n, the same rows for every signal (the paper hides the top 13 of 28).
   */
  | { readonly kind: 'rows'; readonly from: number; readonly to: number };

/** What every method sees: the same observed signals, known-pixel masks and noise level. */
export interface Observation {
  /** n × count (pixels; hidden ones are 0 and never read by a solver), or m × count under a measurement matrix. */
  readonly y: Matrix;
  /** n × count, 1 where the pixel is known; undefined when every pixel is known. */
  readonly known?: Uint8Array;
  readonly noise: NoiseSpec;
  readonly mask: MaskSpec;
  /** How G(z) was measured; absent means pixel by pixel. */
  readonly measure?: MeasureSpec;
  /** The m × n measurement matrix when `measure` is gaussian: y = A·G(z) + e. */
  readonly A?: Matrix;
}

/** Parses `none`, `random:0.45` or `rows:0-12` (the CLI's --mask). @throws RangeError naming the problem. */
export function parseMask(text: string): MaskSpec {
  if (text === 'none') return { kind: 'none' };
  let m = /^random:([0-9.eE+-]+)$/.exec(text);
  if (m) {
    const fraction = Number(m[1]);
    if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`mask fraction must be in [0, 1), got ${m[1]}`);
    return { kind: 'random', fraction };
  }
  m = /^rows:(\d+)-(\d+)$/.exec(text);
  if (m) {
    const from = Number(m[1]);
    const to = Number(m[2]);
    if (to < from) throw new RangeError(`mask rows ${from}-${to}: the last row comes before the first`);
    return { kind: 'rows', from, to };
  }
  throw new RangeError(`unknown mask "${text}" (use none, random:FRACTION or rows:FROM-TO)`);
}

/** Side of the square image a rows-mask needs. @throws RangeError when n is not a square or rows fall outside. */
export function imageSide(n: number, mask: { from: number; to: number }): number {
  const side = Math.round(Math.sqrt(n));
  if (side * side !== n) throw new RangeError(`a rows mask needs a square image, but the output has ${n} pixels`);
  if (mask.to >= side) throw new RangeError(`mask rows ${mask.from}-${mask.to} fall outside the ${side}×${side} image`);
  return side;
}

/**
 * Builds the known-pixel mask for `count` signals of length n (seeded), or
 * undefined when nothing is hidden.
 */
export function makeMask(spec: MaskSpec, n: number, count: number, seed: number): Uint8Array | undefined {
  if (spec.kind === 'none') return undefined;
  const known = new Uint8Array(n * count).fill(1);
  if (spec.kind === 'rows') {
    const side = imageSide(n, spec);
    for (let r = spec.from; r <= spec.to; r++) {
      for (let c = 0; c < side; c++) known.fill(0, (r * side + c) * count, (r * side + c + 1) * count);
    }
    return known;
  }
  const rng = createRng(seed);
  const hide = Math.round(spec.fraction * n);
  const order = new Int32Array(n);
  for (let j = 0; j < count; j++) {
    // Partial Fisher–Yates: the first `hide` entries are a uniform random subset.
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = 0; i < hide; i++) {
      const k = i + Math.floor(rng.uniform() * (n - i));
      const t = order[i];
      order[i] = order[k];
      order[k] = t;
      known[order[i] * count + j] = 0;
    }
  }
  return known;
}

/**
 * y = M(G(z)) + e for a batch: adds seeded noise to the known pixels of
 * `clean` (n × count) and zeroes the hidden ones; or, with a Gaussian
 * `measure`, y = A·G(z) + e (m × count, the noise on the m measurements).
 * @throws RangeError for a mask together with a measurement matrix (a mask is
 *   a row selection of the identity: one or the other).
 */
export function observe(
  clean: Matrix,
  noise: NoiseSpec,
  mask: MaskSpec,
  seed: number,
  measure: MeasureSpec = { kind: 'pixels' },
): Observation {
  if (measure.kind === 'gaussian' && mask.kind !== 'none')
    throw new RangeError(
      `a mask (${mask.kind}) and a measurement matrix together: a mask is a row selection of the identity, use one or the other`,
    );
  const A = measure.kind === 'gaussian' ? measurementMatrix(measure, clean.rows) : undefined;
  const { cols: count } = clean;
  const n = A === undefined ? clean.rows : A.rows;
  const known = makeMask(mask, n, count, seed + 1);
  const y = A === undefined ? matrix(n, count, Float64Array.from(clean.data)) : gemm(A, clean, matrix(n, count));
  const rng = createRng(seed);
  if (noise.kind === 'gaussian') {
    if (!(noise.sigma >= 0 && Number.isFinite(noise.sigma)))
      throw new RangeError(`noise σ must be a finite number ≥ 0, got ${noise.sigma}`);
    for (let i = 0; i < y.data.length; i++) y.data[i] += noise.sigma * rng.gaussian();
  } else if (noise.kind === 'bounded') {
    if (!(noise.epsilon >= 0 && Number.isFinite(noise.epsilon)))
      throw new RangeError(`noise ε must be a finite number ≥ 0, got ${noise.epsilon}`);
    const e = new Float64Array(n);
    for (let j = 0; j < count; j++) {
      let ss = 0;
      for (let i = 0; i < n; i++) {
        e[i] = known === undefined || known[i * count + j] ? rng.gaussian() : 0;
        ss += e[i] * e[i];
      }
      const scale = ss > 0 ? noise.epsilon / Math.sqrt(ss) : 0;
      for (let i = 0; i < n; i++) y.data[i * count + j] += scale * e[i];
    }
  }
  if (known !== undefined) for (let i = 0; i < y.data.length; i++) if (!known[i]) y.data[i] = 0;
  if (A !== undefined) return { y, noise, mask, measure, A };
  return known === undefined ? { y, noise, mask } : { y, known, noise, mask };
}

/** Number of known pixels of signal j. */
export function knownCount(obs: Observation, j: number): number {
  const { rows: n, cols: count } = obs.y;
  if (obs.known === undefined) return n;
  let s = 0;
  for (let i = 0; i < n; i++) s += obs.known[i * count + j];
  return s;
}
