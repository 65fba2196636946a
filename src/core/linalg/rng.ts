/**
 * Seeded pseudo-random numbers: xoshiro128** for uniform 32-bit words,
 * 53-bit doubles from two words, and standard normals by the polar
 * (Marsaglia) method. Every random draw in Pursuit Lab goes through one of
 * these so that a run is reproducible from its seed.
 */
export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  gaussian(): number;
  /** Fills `out` with N(0, std²) draws and returns it. */
  fillGaussian(out: Float64Array, std?: number): Float64Array;
}

/** splitmix32: spreads a (possibly small) seed over the 128-bit state. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a generator from an integer seed (any safe integer; the high and
 * low 32-bit halves both count, so seeds up to 2^53 are distinct).
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  const mix = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point

  function nextWord(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  function uniform(): number {
    const a = nextWord() >>> 5; // 27 bits
    const b = nextWord() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  let spare = 0;
  let hasSpare = false;
  function gaussian(): number {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * factor;
    hasSpare = true;
    return u * factor;
  }

  function fillGaussian(out: Float64Array, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = std * gaussian();
    return out;
  }

  return { uniform, gaussian, fillGaussian };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
