/**
 * A few signals of a run kept whole, for an image grid (truth, what was
 * observed, each method's G(ẑ)): small by construction — a handful of
 * signals, each value rounded to 4 significant digits, which no gray level
 * a reader can see distinguishes from the full float64.
 */
import type { ImageShape } from '../model/generator';
import type { MethodId } from '../pursuit/types';

export interface ImageExample {
  /** The signal every method should reproduce (G(z), or the given signal), when known. */
  readonly truth?: number[];
  /** What the methods saw: null at hidden pixels. */
  readonly observed: (number | null)[];
  /** Each method's G(ẑ), in the spec's method order. */
  readonly methods: Partial<Record<MethodId, number[]>>;
}

export interface ImageExamples {
  /** What the truth column is: `G(z)` for a drawn signal, `input y` for a given one. */
  readonly truthLabel: string;
  /**
   * The images' [height, width] (row-major): the model's recorded shape, or
   * its square side. Absent in older reports, which had square images only.
   */
  readonly shape?: ImageShape;
  readonly signals: ImageExample[];
}

/** Signals of an invert job's first chunk kept as examples. */
export const INVERT_EXAMPLES = 4;
/** Signals of a project job kept as examples. */
export const PROJECT_EXAMPLES = 8;

/** v to 4 significant digits (a gray level needs 3); non-finite values as they are. */
export const round4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);

/**
 * Column j of an n × count row-major batch, rounded; hidden entries (known
 * given and 0 there) become null.
 */
export function exampleColumn(
  data: Float64Array,
  n: number,
  count: number,
  j: number,
  known?: Uint8Array,
): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const p = i * count + j;
    out.push(known !== undefined && !known[p] ? null : round4(data[p]));
  }
  return out;
}
