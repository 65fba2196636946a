/**
 * The paper's Fig. 2 protocols, which choose a method's one free parameter
 * per signal from a grid:
 * - gradient descent: the smallest step of {1e-1, 1, …, 1e4} whose run ends
 *   with a gradient norm below the tolerance (1e-9);
 * - Layered Basis-Pursuit: the best λ of {1e-5, 7e-6, 3e-6, 1e-6, 0}.
 * The paper does not say what "best" means for λ; a user has no ground truth,
 * so here it is the lowest final data misfit ½‖M(y − G(ẑ))‖², ties going to
 * the value listed first. Each signal records the value it got.
 */
import { matrix, type Matrix } from '../linalg/matrix';
import type { Observation } from '../model/observation';
import type { InversionResult, ParameterChoice, SignalReport } from './types';

/** Columns `cols` of a matrix. */
export function selectColumns(m: Matrix, cols: readonly number[]): Matrix {
  const out = matrix(m.rows, cols.length);
  for (let i = 0; i < m.rows; i++)
    for (let q = 0; q < cols.length; q++) out.data[i * cols.length + q] = m.data[i * m.cols + cols[q]];
  return out;
}

/** The observation of signals `cols` alone. */
export function selectSignals(obs: Observation, cols: readonly number[]): Observation {
  const y = selectColumns(obs.y, cols);
  if (obs.known === undefined) return { ...obs, y };
  const known = new Uint8Array(y.rows * cols.length);
  for (let i = 0; i < y.rows; i++)
    for (let q = 0; q < cols.length; q++) known[i * cols.length + q] = obs.known[i * obs.y.cols + cols[q]];
  return { ...obs, y, known };
}

export interface GridRule {
  readonly parameter: ParameterChoice['parameter'];
  readonly grid: readonly number[];
  /**
   * `first-meeting`: grid values in order, each on the signals no earlier
   * value settled; a signal is settled by the first run that meets `meets`.
   * `lowest-misfit`: every value on every signal, the lowest misfit kept.
   */
  readonly mode: 'first-meeting' | 'lowest-misfit';
  readonly meets?: (signal: SignalReport) => boolean;
}

const misfitOrder = (a: number, b: number) => (Number.isNaN(a) ? !Number.isNaN(b) : b < a);

/**
 * Runs `run(obs of some signals, value)` for the grid's values and keeps, per
 * signal, the run the rule chooses; the result is as if one run had produced
 * every signal, plus `choice` per signal. Progress is the fraction of runs done.
 */
export function* selectPerSignal(
  obs: Observation,
  rule: GridRule,
  run: (obs: Observation, value: number, cols: readonly number[]) => Generator<number, InversionResult, void>,
): Generator<number, InversionResult, void> {
  if (rule.grid.length === 0) throw new RangeError(`the ${rule.parameter} grid is empty`);
  const count = obs.y.cols;
  const chosen: { result: InversionResult; column: number; value: number; tried: number; met: boolean }[] = new Array(
    count,
  );
  let pending = Array.from({ length: count }, (_, j) => j);
  for (let g = 0; g < rule.grid.length && pending.length > 0; g++) {
    const value = rule.grid[g];
    const cols = pending;
    const steps = run(cols.length === count ? obs : selectSignals(obs, cols), value, cols);
    let next = steps.next();
    while (!next.done) {
      yield (g + next.value) / rule.grid.length;
      next = steps.next();
    }
    const result = next.value;
    const still: number[] = [];
    cols.forEach((j, q) => {
      const signal = result.signals[q];
      const met = rule.mode === 'first-meeting' && rule.meets !== undefined && rule.meets(signal);
      const before = chosen[j];
      if (before === undefined || met || misfitOrder(before.result.signals[before.column].residual, signal.residual))
        chosen[j] = { result, column: q, value, tried: g + 1, met };
      else chosen[j] = { ...before, tried: g + 1 };
      if (!met) still.push(j);
    });
    if (rule.mode === 'first-meeting') pending = still;
  }

  const first = chosen[0].result;
  const pickColumns = (of: (r: InversionResult) => Matrix) => {
    const shape = of(first);
    const out = matrix(shape.rows, count);
    for (let j = 0; j < count; j++) {
      const { result, column } = chosen[j];
      const m = of(result);
      for (let i = 0; i < m.rows; i++) out.data[i * count + j] = m.data[i * m.cols + column];
    }
    return out;
  };
  return {
    ...first,
    z: pickColumns((r) => r.z),
    layers: first.layers.map((_, i) => pickColumns((r) => r.layers[i])),
    signals: chosen.map(({ result, column }) => result.signals[column]),
    choices: chosen.map(({ value, tried, met }) => ({
      parameter: rule.parameter,
      value,
      tried,
      met: rule.mode === 'lowest-misfit' || met,
    })),
  };
}
