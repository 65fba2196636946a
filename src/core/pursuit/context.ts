import { transpose } from '../linalg/dense';
import { gemm } from '../linalg/gemm';
import { matrix, type Matrix } from '../linalg/matrix';
import { powerIterationGram } from '../linalg/power';
import { activationFunctions, type ActivationFunctions } from '../model/activations';
import { forward } from '../model/forward';
import type { Generator } from '../model/generator';
import { foldMeasurement } from '../model/measurement';
import type { Observation } from '../model/observation';
import { prepare, type PreparedLayer } from './prepared';
import { classifySaturation, phiResidual, unsaturated, type Saturation } from './saturation';
import { worstStop, type InversionResult, type MethodId, type PhaseReport } from './types';

/** What every method shares about one inversion run. */
export interface InversionContext {
  /** The generator the methods invert: the user's, or for an identity φ under A the one with output layer (A W_L, A b_L). */
  readonly gen: Generator;
  /**
   * y = A φ(W_L x_L + b_L) + e with a non-identity φ (an identity φ is folded
   * into `gen` instead): the m × n matrix, Aᵀ and ‖A‖² = λ_max(AᵀA) (raised
   * by 0.1%, as the layers' λ_max). Methods that invert φ pixel by pixel refuse it.
   */
  readonly measure?: Measurement;
  readonly layers: readonly PreparedLayer[];
  readonly phi: ActivationFunctions;
  readonly obs: Observation;
  /** Which known pixels sit at the edge of φ's range (saturation.ts): inequalities, not equations. */
  readonly saturation: Saturation;
  readonly count: number;
  /** Known pixels of signal j (every pixel under a measurement matrix: each enters the measurements). */
  knownRows(j: number): Int32Array;
  /** Known pixels of signal j that carry an equation p = φ⁻¹(y) (known and not saturated). */
  equationRows(j: number): Int32Array;
  /** Known pixels of signal j that are saturated: one-sided bounds on p (saturation.side says which). */
  inequalityRows(j: number): Int32Array;
  /** Column j of y (n pixels, or m measurements under `measure`). */
  signal(j: number): Float64Array;
}

export interface Measurement {
  readonly A: Matrix;
  readonly At: Matrix;
  readonly normSquared: number;
}

/** Whether a method sees y through a measurement matrix it must handle itself (a non-identity φ under A). */
export function measured(ctx: InversionContext): ctx is InversionContext & { readonly measure: Measurement } {
  return ctx.measure !== undefined;
}

function measurementOf(A: Matrix): Measurement {
  const At = transpose(A);
  // Power iteration on the smaller of AAᵀ and AᵀA (the same λ_max), as prepare() does for the layers.
  const small = A.rows <= A.cols ? gemm(A, At, matrix(A.rows, A.rows)) : gemm(At, A, matrix(A.cols, A.cols));
  const { lambda } = powerIterationGram(small, small, { tolerance: 1e-12, maxIterations: 1000 });
  return { A, At, normSquared: Math.sqrt(lambda) * (1 + 1e-3) };
}

// ‖A‖² per matrix: every context of a run (grid protocols build one per grid value) shares it.
const measurements = new WeakMap<Matrix, Measurement>();

/**
 * @param saturationTolerance τ of saturation.ts (a known pixel within τ of an
 *   edge of φ's range is an inequality); undefined takes its default.
 */
export function createContext(gen: Generator, obs: Observation, saturationTolerance?: number): InversionContext {
  const n = gen.layers[gen.layers.length - 1].W.rows;
  const A = obs.A;
  if (A !== undefined) {
    if (A.cols !== n)
      throw new RangeError(`the measurement matrix has ${A.cols} columns but the generator outputs ${n} pixels`);
    if (obs.y.rows !== A.rows)
      throw new RangeError(`the observations have ${obs.y.rows} entries but the measurement matrix has ${A.rows} rows`);
    if (obs.known !== undefined) throw new RangeError('a mask and a measurement matrix together: use one or the other');
    // Identity φ: y = (A W_L) x_L + A b_L + e is a plain observation of the folded generator.
    if (gen.output.kind === 'identity')
      return createContext(
        foldMeasurement(gen, A),
        { y: obs.y, noise: obs.noise, mask: obs.mask },
        saturationTolerance,
      );
  } else if (obs.y.rows !== n)
    throw new RangeError(`the observations have ${obs.y.rows} pixels but the generator outputs ${n}`);
  const count = obs.y.cols;
  const layers = prepare(gen);
  const dead = layers.findIndex((l) => !l.W.data.some((v) => v !== 0));
  if (dead >= 0)
    throw new RangeError(`layer ${dead} has all-zero weights: no signal passes through it, so nothing can be inverted`);
  const phi = activationFunctions(gen.output);
  let measure: Measurement | undefined;
  if (A !== undefined) {
    measure = measurements.get(A);
    if (measure === undefined) measurements.set(A, (measure = measurementOf(A)));
  }
  // Under a dense A no entry of y belongs to one pixel: nothing is read as saturated (saturation.ts, unsaturated).
  const saturation =
    A === undefined ? classifySaturation(obs.y, obs.known, gen.output, phi, saturationTolerance) : unsaturated(obs.y);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  /** Rows of signal j whose (known, side) passes `keep`, cached per signal. */
  const rowsWhere = (keep: (known: boolean, side: number) => boolean) => {
    const cache = new Map<number, Int32Array>();
    return (j: number) => {
      let rows = cache.get(j);
      if (rows === undefined) {
        const list: number[] = [];
        for (let i = 0; i < n; i++) {
          const p = i * count + j;
          if (keep(obs.known === undefined || obs.known[p] === 1, saturation.side[p])) list.push(i);
        }
        rows = Int32Array.from(list);
        cache.set(j, rows);
      }
      return rows;
    };
  };
  const known = rowsWhere((k) => k);
  const equations = rowsWhere((k, side) => k && side === 0);
  const inequalities = rowsWhere((k, side) => k && side !== 0);
  const none = new Int32Array(0);
  return {
    gen,
    layers,
    phi,
    obs,
    ...(measure !== undefined ? { measure } : {}),
    saturation,
    count,
    knownRows: (j) => (obs.known === undefined ? all : known(j)),
    // Under A no pixel carries an equation of its own: a method that needs them refuses A (methods.ts).
    equationRows: (j) =>
      measure !== undefined
        ? none
        : saturation.counts[j] === 0
          ? obs.known === undefined
            ? all
            : known(j)
          : equations(j),
    inequalityRows: (j) => (saturation.counts[j] === 0 ? none : inequalities(j)),
    signal(j) {
      const rows = obs.y.rows;
      const y = new Float64Array(rows);
      for (let i = 0; i < rows; i++) y[i] = obs.y.data[i * count + j];
      return y;
    },
  };
}

/**
 * ½‖y_j − A·g‖² for one signal's output g = G(ẑ) (n pixels) under a
 * measurement matrix, else ½‖M(y_j − g)‖² over its known pixels (saturated
 * pixels: the distance to their interval).
 */
export function signalMisfit(ctx: InversionContext, j: number, g: ArrayLike<number>): number {
  const { y } = ctx.obs;
  const count = ctx.count;
  let f = 0;
  if (ctx.measure !== undefined) {
    const { A } = ctx.measure;
    for (let r = 0; r < A.rows; r++) {
      let s = -y.data[r * count + j];
      for (let i = 0; i < A.cols; i++) s += A.data[r * A.cols + i] * g[i];
      f += 0.5 * s * s;
    }
    return f;
  }
  const sat = ctx.saturation;
  for (const r of ctx.knownRows(j)) {
    const p = r * count + j;
    f += 0.5 * phiResidual(sat, g[r], y.data[p], sat.side[p]) ** 2;
  }
  return f;
}

/** ½‖M(y − G(z))‖² (or ½‖y − A·G(z)‖²) per signal, through the generator itself (saturated pixels: the distance to their interval). */
export function dataMisfit(ctx: InversionContext, z: Matrix): Float64Array {
  const out = forward(ctx.gen, z).output;
  if (ctx.measure !== undefined) {
    const { A } = ctx.measure;
    const Ag = gemm(A, out, matrix(A.rows, out.cols));
    const f = new Float64Array(ctx.count);
    for (let p = 0; p < Ag.data.length; p++) f[p % ctx.count] += 0.5 * (Ag.data[p] - ctx.obs.y.data[p]) ** 2;
    return f;
  }
  const { y, known } = ctx.obs;
  const sat = ctx.saturation;
  const f = new Float64Array(ctx.count);
  for (let p = 0; p < out.data.length; p++) {
    if (known !== undefined && !known[p]) continue;
    const r = phiResidual(sat, out.data[p], y.data[p], sat.side[p]);
    f[p % ctx.count] += 0.5 * r * r;
  }
  return f;
}

/**
 * Per signal, the misfit below which a candidate fits: the noise's expected
 * ½‖e‖² on the known pixels plus three standard deviations (Gaussian σ:
 * ½σ²m(1 + 3√(2/m)); bounded ε: ½ε²), or misfitTolerance · ½‖My‖²,
 * whichever is larger.
 */
export function misfitFloors(ctx: InversionContext, tolerance: number): Float64Array {
  const floors = new Float64Array(ctx.count);
  const noise = ctx.obs.noise;
  for (let j = 0; j < ctx.count; j++) {
    const rows = ctx.knownRows(j);
    const y = ctx.signal(j);
    let energy = 0;
    for (const r of rows) energy += 0.5 * y[r] * y[r];
    const m = rows.length;
    const fromNoise =
      noise.kind === 'gaussian'
        ? 0.5 * noise.sigma ** 2 * m * (1 + 3 * Math.sqrt(2 / Math.max(m, 1)))
        : noise.kind === 'bounded'
          ? 0.5 * noise.epsilon ** 2
          : 0;
    floors[j] = Math.max(fromNoise, tolerance * energy);
  }
  return floors;
}

/** Assembles a method's result: per-signal phase reports, worst stop, residual (dataMisfit of z, unless the caller has it). */
export function assembleResult(
  ctx: InversionContext,
  method: MethodId,
  z: Matrix,
  layers: Matrix[],
  phases: PhaseReport[][],
  supportTolerance: number,
  residual: Float64Array = dataMisfit(ctx, z),
): InversionResult {
  return {
    method,
    z,
    layers,
    supportTolerance,
    saturation: {
      tolerance: ctx.saturation.tolerance,
      above: ctx.saturation.above,
      below: ctx.saturation.below,
    },
    signals: phases.map((p, j) => ({
      iterations: p.reduce((s, r) => s + r.iterations, 0),
      stopReason: worstStop(p),
      phases: p,
      residual: residual[j],
      saturated: ctx.saturation.counts[j],
    })),
  };
}

/** Column subset of a batch. */
export function selectColumns(m: Matrix, cols: Int32Array): Matrix {
  const out = matrix(m.rows, cols.length);
  for (let i = 0; i < m.rows; i++)
    for (let k = 0; k < cols.length; k++) out.data[i * cols.length + k] = m.data[i * m.cols + cols[k]];
  return out;
}

/** Column subset of a rows × count mask (0/1, or the −1/0/+1 of saturation sides). */
export function selectMaskColumns<T extends Uint8Array | Int8Array>(
  mask: T,
  rows: number,
  count: number,
  cols: Int32Array,
): T {
  const out = new (mask.constructor as new (length: number) => T)(rows * cols.length);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < cols.length; k++) out[i * cols.length + k] = mask[i * count + cols[k]];
  return out;
}

/** Writes the columns of `part` back into columns `cols` of `into`. */
export function scatterColumns(part: Matrix, cols: Int32Array, into: Matrix): void {
  for (let i = 0; i < part.rows; i++)
    for (let k = 0; k < cols.length; k++) into.data[i * into.cols + cols[k]] = part.data[i * part.cols + k];
}

/**
 * The output layer as least-squares rows for signal j, in the pre-activation
 * domain p = W_L x + b_L: equations p_r = φ⁻¹(y_r), and one-sided bounds
 * p_r ≥ θ⁺ / p_r ≤ θ⁻ for the saturated pixels (saturation.ts).
 */
export interface OutputSystem {
  readonly equations: Int32Array;
  readonly inequalities: Int32Array;
  /** c_r − b_r, indexed like W_L's rows: φ⁻¹(y_r) − b_r on equations, θ± − b_r on inequalities (their target when active). */
  readonly target: Float64Array;
  /** How far inequality row r's pre-activation p lies past its threshold (> 0: violated). */
  gap(r: number, p: number): number;
  /** Hysteresis for solveWithInequalities: rounding-level distance from the thresholds. */
  readonly slack: number;
}

export function outputSystem(ctx: InversionContext, j: number): OutputSystem {
  if (ctx.measure !== undefined)
    throw new RangeError(
      'the output layer has no pixel-wise equations under a measurement matrix with a non-identity φ',
    );
  const out = ctx.layers[ctx.layers.length - 1];
  const sat = ctx.saturation;
  const equations = ctx.equationRows(j);
  const inequalities = ctx.inequalityRows(j);
  const target = new Float64Array(out.W.rows);
  const y = ctx.obs.y;
  for (const r of equations) target[r] = ctx.phi.inverse(y.data[r * ctx.count + j]) - out.b[r];
  const side = (r: number) => sat.side[r * ctx.count + j];
  for (const r of inequalities) target[r] = (side(r) > 0 ? sat.above : sat.below) - out.b[r];
  return {
    equations,
    inequalities,
    target,
    gap: (r, p) => (side(r) > 0 ? sat.above - p : p - sat.below),
    slack: 1e-12 * Math.max(1, Math.abs(sat.above), Math.abs(sat.below)),
  };
}
