import { derivative, parse, type MathNode } from 'mathjs';
import type { ActivationFunctions } from './activations';

/** Where the monotonicity check samples φ: [−GRID_LIMIT, GRID_LIMIT] in steps of 1/GRID_DENSITY. */
const GRID_LIMIT = 8;
const GRID_DENSITY = 128;
/** Names an expression may use besides x. */
const CONSTANTS = new Set(['e', 'pi', 'E', 'PI']);

/**
 * A custom output activation φ typed as an expression in x (mathjs syntax),
 * e.g. `x + 0.5 * tanh(x)`. φ′ is derived symbolically; φ⁻¹ is computed
 * numerically (bracketing, then Newton steps safeguarded by bisection).
 *
 * Refused, with the reason, when the expression does not parse, uses another
 * variable, has no symbolic derivative, or is not strictly increasing on a
 * grid over [−8, 8] (an inversion needs an invertible φ).
 *
 * @throws RangeError whose message names the problem.
 */
export function compileCustomActivation(expression: string): {
  functions: ActivationFunctions;
  derivativeText: string;
} {
  let node: MathNode;
  try {
    node = parse(expression);
  } catch (e) {
    throw new RangeError(`custom activation "${expression}" does not parse: ${(e as Error).message}`, { cause: e });
  }
  const unknown = new Set<string>();
  node.traverse((n, _path, parent) => {
    if (n.type === 'SymbolNode') {
      const name = (n as MathNode & { name: string }).name;
      const isFunctionName = parent?.type === 'FunctionNode' && (parent as MathNode & { fn: MathNode }).fn === n;
      if (!isFunctionName && name !== 'x' && !CONSTANTS.has(name)) unknown.add(name);
    }
  });
  if (unknown.size > 0) {
    throw new RangeError(
      `custom activation "${expression}" may only use the variable x, but uses ${[...unknown].join(', ')}`,
    );
  }
  let d: MathNode;
  try {
    d = derivative(node, 'x');
  } catch (e) {
    throw new RangeError(`custom activation "${expression}" has no symbolic derivative: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const f = node.compile();
  const df = d.compile();
  const forward = (x: number): number => Number(f.evaluate({ x }));
  const deriv = (x: number): number => Number(df.evaluate({ x }));

  let previous = forward(-GRID_LIMIT);
  if (!Number.isFinite(previous))
    throw new RangeError(`custom activation "${expression}" is not finite at x = ${-GRID_LIMIT}`);
  for (let k = -GRID_LIMIT * GRID_DENSITY + 1; k <= GRID_LIMIT * GRID_DENSITY; k++) {
    const x = k / GRID_DENSITY;
    const y = forward(x);
    if (!Number.isFinite(y)) throw new RangeError(`custom activation "${expression}" is not finite at x = ${x}`);
    if (!(y > previous)) {
      const fmt = (v: number) => Number(v.toPrecision(6));
      throw new RangeError(
        `custom activation "${expression}" is not strictly increasing: φ(${fmt(x - 1 / GRID_DENSITY)}) = ${fmt(previous)} ≥ φ(${fmt(x)}) = ${fmt(y)}`,
      );
    }
    const slope = deriv(x);
    if (!(slope >= 0))
      throw new RangeError(`custom activation "${expression}": its derivative ${d.toString()} is ${slope} at x = ${x}`);
    previous = y;
  }

  const inverse = (y: number): number => {
    if (!Number.isFinite(y)) return Number.NaN;
    let lo = -1;
    let hi = 1;
    while (forward(lo) > y) {
      lo *= 2;
      if (lo < -1e6) return Number.NaN;
    }
    while (forward(hi) < y) {
      hi *= 2;
      if (hi > 1e6) return Number.NaN;
    }
    let x = (lo + hi) / 2;
    for (let it = 0; it < 200; it++) {
      const r = forward(x) - y;
      if (r === 0) return x;
      if (r > 0) hi = x;
      else lo = x;
      const slope = deriv(x);
      let next = slope > 0 ? x - r / slope : Number.NaN;
      if (!(next > lo && next < hi)) next = (lo + hi) / 2; // Newton left the bracket: bisect
      if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x))) return next;
      x = next;
    }
    return x;
  };
  return { functions: { forward, inverse, derivative: deriv }, derivativeText: d.toString() };
}
