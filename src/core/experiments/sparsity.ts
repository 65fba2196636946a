import { matrix } from '../linalg/matrix';
import { createRng } from '../linalg/rng';
import { quantiles } from '../metrics';
import { forward } from '../model/forward';
import { layerDims, type Generator } from '../model/generator';
import type { StopReason, Stepper } from './stepper';

/** Upper bound on samples per run: keeps the per-sample arrays small and a typo (1e9) harmless. */
export const MAX_SPARSITY_SAMPLES = 1_000_000;

export interface SparsitySpec {
  /** Number of latent vectors z ~ N(0, I) to draw. */
  readonly count: number;
  /** Seed of the latent draws; the same seed gives the same z's whatever the chunk size. */
  readonly seed: number;
  /** Signals pushed through the generator per step. @default 64 */
  readonly chunkSize?: number;
}

/** Per-layer sparsity of one hidden layer x_i over the samples. */
export interface LayerSparsity {
  /** i, 1-based: x₁ is the first hidden layer. */
  readonly layer: number;
  /** n_i, the layer's width. */
  readonly width: number;
  /** s_i = |supp(x_i)| for every sample, in draw order. */
  readonly counts: number[];
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

/** One of Theorem 2's conditions, evaluated per sample. */
export interface Theorem2Condition {
  /** `i` (last layer), `ii` (between layers), `iii` (first layer). */
  readonly clause: 'i' | 'ii' | 'iii';
  /** The hidden layer the condition constrains (1-based). */
  readonly layer: number;
  /** Human-readable statement, set as the paper does, e.g. `s₂ < n = 625`. */
  readonly statement: string;
  /** Samples that meet it. */
  readonly passed: number;
  /** passed / samples (NaN when there are no samples). */
  readonly passFraction: number;
}

export interface SparsityResult {
  /** [n₀, n₁, …, n]. */
  readonly dims: number[];
  readonly seed: number;
  /** Samples requested. */
  readonly requested: number;
  /** Samples actually drawn (fewer when cancelled). */
  readonly samples: number;
  readonly stopReason: StopReason;
  readonly layers: LayerSparsity[];
  /**
   * Theorem 2 (i.i.d. Gaussian weights): (i) s_L < n, (ii) s_i < s_{i+1},
   * (iii) s_1 ≥ n₀. `allPassFraction` is the fraction of samples meeting all.
   */
  readonly theorem2: { readonly conditions: Theorem2Condition[]; readonly allPassFraction: number };
}

/**
 * Draws `count` latent vectors z ~ N(0, I), runs the generator and records
 * s_i = |supp(x_i)| for every hidden layer. ReLU outputs exact zeros, so the
 * support is read exactly (x > 0), with no tolerance.
 */
export function createSparsitySampler(gen: Generator, spec: SparsitySpec): Stepper<SparsityResult> {
  const { count, seed } = spec;
  const chunkSize = spec.chunkSize ?? 64;
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_SPARSITY_SAMPLES)) {
    throw new RangeError(`sample count must be an integer from 1 to ${MAX_SPARSITY_SAMPLES}, got ${count}`);
  }
  if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) {
    throw new RangeError(`chunk size must be a positive integer, got ${chunkSize}`);
  }
  const rng = createRng(seed);
  const dims = layerDims(gen);
  const hiddenCount = gen.layers.length - 1;
  const counts: number[][] = Array.from({ length: hiddenCount }, () => []);
  let done = 0;

  return {
    total: count,
    get done() {
      return done;
    },
    step() {
      const k = Math.min(chunkSize, count - done);
      if (k <= 0) return;
      const n0 = gen.inputDim;
      const z = matrix(n0, k);
      // Column by column, so sample j's z does not depend on the chunk size.
      for (let j = 0; j < k; j++) for (let i = 0; i < n0; i++) z.data[i * k + j] = rng.gaussian();
      const pass = forward(gen, z);
      pass.hidden.forEach((x, layer) => {
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let i = 0; i < x.rows; i++) if (x.data[i * k + j] > 0) s++;
          counts[layer].push(s);
        }
      });
      done += k;
    },
    result(stopReason) {
      const layers = counts.map((c, i) => {
        const [p10, median, p90] = quantiles(c, [0.1, 0.5, 0.9]);
        return {
          layer: i + 1,
          width: dims[i + 1],
          counts: c.slice(),
          median,
          p10,
          p90,
          min: c.length ? Math.min(...c) : Number.NaN,
          max: c.length ? Math.max(...c) : Number.NaN,
        };
      });
      return {
        dims,
        seed,
        requested: count,
        samples: done,
        stopReason,
        layers,
        theorem2: theorem2(dims, counts, done),
      };
    },
  };
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
/** `sub(12)` → `₁₂`: math typography for statements shown to users (s₁, n₀). */
const sub = (i: number) => String(i).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);

function theorem2(dims: number[], counts: number[][], samples: number): SparsityResult['theorem2'] {
  const L = counts.length;
  const n0 = dims[0];
  const n = dims[dims.length - 1];
  const checks: {
    clause: Theorem2Condition['clause'];
    layer: number;
    statement: string;
    holds: (j: number) => boolean;
  }[] = [{ clause: 'iii', layer: 1, statement: `s₁ ≥ n₀ = ${n0}`, holds: (j) => counts[0][j] >= n0 }];
  for (let i = 1; i < L; i++) {
    checks.push({
      clause: 'ii',
      layer: i,
      statement: `s${sub(i)} < s${sub(i + 1)}`,
      holds: (j) => counts[i - 1][j] < counts[i][j],
    });
  }
  checks.push({ clause: 'i', layer: L, statement: `s${sub(L)} < n = ${n}`, holds: (j) => counts[L - 1][j] < n });

  let all = 0;
  const passed = checks.map(() => 0);
  for (let j = 0; j < samples; j++) {
    let ok = true;
    checks.forEach((c, k) => {
      if (c.holds(j)) passed[k]++;
      else ok = false;
    });
    if (ok) all++;
  }
  const frac = (x: number) => (samples > 0 ? x / samples : Number.NaN);
  return {
    conditions: checks.map((c, k) => ({
      clause: c.clause,
      layer: c.layer,
      statement: c.statement,
      passed: passed[k],
      passFraction: frac(passed[k]),
    })),
    allPassFraction: frac(all),
  };
}
