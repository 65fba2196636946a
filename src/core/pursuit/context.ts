import { matrix, type Matrix } from '../linalg/matrix';
import { activationFunctions, type ActivationFunctions } from '../model/activations';
import { forward } from '../model/forward';
import type { Generator } from '../model/generator';
import type { Observation } from '../model/observation';
import { prepare, type PreparedLayer } from './prepared';
import { clampedInverse } from './targets';
import { worstStop, type InversionResult, type MethodId, type PhaseReport } from './types';

/** What every method shares about one inversion run. */
export interface InversionContext {
  readonly gen: Generator;
  readonly layers: readonly PreparedLayer[];
  readonly phi: ActivationFunctions;
  /** φ⁻¹ clamped into φ's range (never NaN). */
  readonly inverse: (y: number) => number;
  readonly obs: Observation;
  readonly count: number;
  /** Known pixels of signal j. */
  knownRows(j: number): Int32Array;
  /** Column j of y. */
  signal(j: number): Float64Array;
}

export function createContext(gen: Generator, obs: Observation): InversionContext {
  const n = gen.layers[gen.layers.length - 1].W.rows;
  if (obs.y.rows !== n)
    throw new RangeError(`the observations have ${obs.y.rows} pixels but the generator outputs ${n}`);
  const count = obs.y.cols;
  const layers = prepare(gen);
  const dead = layers.findIndex((l) => !(l.lambdaMax > 0));
  if (dead >= 0)
    throw new RangeError(`layer ${dead} has all-zero weights: no signal passes through it, so nothing can be inverted`);
  const phi = activationFunctions(gen.output);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const rowsCache = new Map<number, Int32Array>();
  return {
    gen,
    layers,
    phi,
    inverse: clampedInverse(gen.output, phi),
    obs,
    count,
    knownRows(j) {
      if (obs.known === undefined) return all;
      let rows = rowsCache.get(j);
      if (rows === undefined) {
        const list: number[] = [];
        for (let i = 0; i < n; i++) if (obs.known[i * count + j]) list.push(i);
        rows = Int32Array.from(list);
        rowsCache.set(j, rows);
      }
      return rows;
    },
    signal(j) {
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) y[i] = obs.y.data[i * count + j];
      return y;
    },
  };
}

/** ½‖M(y − G(z))‖² per signal, through the generator itself. */
export function dataMisfit(ctx: InversionContext, z: Matrix): Float64Array {
  const out = forward(ctx.gen, z).output;
  const { y, known } = ctx.obs;
  const f = new Float64Array(ctx.count);
  for (let p = 0; p < out.data.length; p++) {
    if (known !== undefined && !known[p]) continue;
    const r = out.data[p] - y.data[p];
    f[p % ctx.count] += 0.5 * r * r;
  }
  return f;
}

/** Assembles a method's result: per-signal phase reports, worst stop, residual. */
export function assembleResult(
  ctx: InversionContext,
  method: MethodId,
  z: Matrix,
  layers: Matrix[],
  phases: PhaseReport[][],
  supportTolerance: number,
): InversionResult {
  const residual = dataMisfit(ctx, z);
  return {
    method,
    z,
    layers,
    supportTolerance,
    signals: phases.map((p, j) => ({
      iterations: p.reduce((s, r) => s + r.iterations, 0),
      stopReason: worstStop(p),
      phases: p,
      residual: residual[j],
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

/** Column subset of a rows × count 0/1 mask. */
export function selectMaskColumns(mask: Uint8Array, rows: number, count: number, cols: Int32Array): Uint8Array {
  const out = new Uint8Array(rows * cols.length);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < cols.length; k++) out[i * cols.length + k] = mask[i * count + cols[k]];
  return out;
}

/** Writes the columns of `part` back into columns `cols` of `into`. */
export function scatterColumns(part: Matrix, cols: Int32Array, into: Matrix): void {
  for (let i = 0; i < part.rows; i++)
    for (let k = 0; k < cols.length; k++) into.data[i * into.cols + cols[k]] = part.data[i * part.cols + k];
}
