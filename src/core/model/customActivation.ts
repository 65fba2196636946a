import { all, create, type MathJsInstance, type MathNode } from 'mathjs';
import type { ActivationFunctions } from './activations';

/** Where the monotonicity check samples φ: [−GRID_LIMIT, GRID_LIMIT] in steps of 1/GRID_DENSITY. */
const GRID_LIMIT = 8;
const GRID_DENSITY = 128;

/** Longest expression accepted: every activation we know fits in a line; a model file is no place for a program. */
export const MAX_EXPRESSION_LENGTH = 200;
/** Deepest nesting of the parsed tree: bounds the size of the symbolic derivative (it grows with depth squared). */
export const MAX_EXPRESSION_DEPTH = 24;
/**
 * Time allowed for the monotonicity check (4,097 evaluations of φ and φ′).
 * A whitelisted expression takes a few milliseconds; the limit only stops an
 * expression that is slow in some way the whitelist did not foresee.
 */
export const CUSTOM_CHECK_TIME_LIMIT_MS = 2000;

/** Names an expression may use besides x. */
const CONSTANTS = new Set(['e', 'pi', 'E', 'PI']);
/** The arithmetic an expression may use: mathjs operator function names. */
const OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus']);
/**
 * Scalar functions an expression may call: each maps numbers to a number and
 * has a symbolic derivative in mathjs (expm1 and log1p through the rewrite
 * below). min, max and sign are left out: mathjs cannot differentiate them.
 */
export const CUSTOM_FUNCTIONS: readonly string[] = [
  'abs',
  'exp',
  'expm1',
  'log',
  'log1p',
  'log2',
  'log10',
  'sqrt',
  'cbrt',
  'pow',
  'sin',
  'cos',
  'tan',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'sech',
];
const FUNCTIONS = new Set(CUSTOM_FUNCTIONS);
/** Nodes of a scalar expression; everything else (matrices, indexing, assignment, strings, units, blocks) is refused. */
const NODE_TYPES = new Set(['ConstantNode', 'SymbolNode', 'OperatorNode', 'FunctionNode', 'ParenthesisNode']);

/**
 * The mathjs docs' "more secure eval": our own instance, in which the
 * functions that reach beyond a scalar expression throw even if an expression
 * got past the tree check. `predictable` keeps results real numbers (√−1 is
 * NaN, not a complex number). Built on first use: creating it takes ~0.5 s.
 */
let engine: { parse: MathJsInstance['parse']; derivative: MathJsInstance['derivative'] } | undefined;
function restrictedMath() {
  if (engine !== undefined) return engine;
  const math = create(all, { predictable: true });
  // Keep the two functions we need before they are disabled (the docs' pattern keeps `evaluate` alike).
  engine = { parse: math.parse, derivative: math.derivative };
  const disabled = [
    'import',
    'createUnit',
    'evaluate',
    'parse',
    'compile',
    'simplify',
    'simplifyConstant',
    'simplifyCore',
    'rationalize',
    'derivative',
    'resolve',
    'reviver',
    'chain',
    'help',
    'zeros',
    'ones',
    'matrix',
    'sparse',
    'range',
    'identity',
    'diag',
    'sum',
    'prod',
    'random',
    'randomInt',
    'map',
    'forEach',
    'filter',
    'concat',
    'reshape',
    'resize',
  ];
  math.import(
    Object.fromEntries(
      disabled.map((name) => [
        name,
        () => {
          throw new Error(`${name} is disabled in custom activations`);
        },
      ]),
    ),
    { override: true },
  );
  return engine;
}

type Named = MathNode & { name: string };
type Op = MathNode & { fn: string; op: string; args: MathNode[] };
type Call = MathNode & { fn: MathNode; args: MathNode[] };

/** The first reason `node` is not a scalar expression in x built from the whitelist, or undefined. */
function whyRefused(node: MathNode): string | undefined {
  // An explicit stack: the walk itself must not overflow on a hostile tree.
  const stack: { n: MathNode; depth: number }[] = [{ n: node, depth: 1 }];
  while (stack.length > 0) {
    const { n, depth } = stack.pop()!;
    if (depth > MAX_EXPRESSION_DEPTH) return `nests deeper than ${MAX_EXPRESSION_DEPTH} levels`;
    if (!NODE_TYPES.has(n.type)) {
      return `uses ${n.type.replace(/Node$/, '').toLowerCase()} syntax; only arithmetic on x, numbers and functions is allowed`;
    }
    if (n.type === 'ConstantNode') {
      const value = (n as MathNode & { value: unknown }).value;
      if (typeof value !== 'number') return `contains the constant ${JSON.stringify(value)}, not a number`;
    } else if (n.type === 'SymbolNode') {
      const name = (n as Named).name;
      if (name !== 'x' && !CONSTANTS.has(name)) return `may only use the variable x, but uses ${name}`;
    } else if (n.type === 'OperatorNode') {
      const op = n as Op;
      if (!OPERATORS.has(op.fn)) return `uses the operator ${op.op}; only + − * / ^ are allowed`;
    } else if (n.type === 'FunctionNode') {
      // The callee is checked here, before its arguments, and is not walked as a variable.
      const fn = (n as Call).fn;
      const name = fn.type === 'SymbolNode' ? (fn as Named).name : undefined;
      if (name === undefined || !FUNCTIONS.has(name)) {
        return `calls ${name ?? 'something that is not a function name'}, which is not one of the allowed functions (${CUSTOM_FUNCTIONS.join(', ')})`;
      }
      for (const a of (n as Call).args) stack.push({ n: a, depth: depth + 1 });
      continue;
    }
    for (const child of childrenOf(n)) stack.push({ n: child, depth: depth + 1 });
  }
  return undefined;
}

function childrenOf(n: MathNode): MathNode[] {
  const out: MathNode[] = [];
  n.forEach((child) => out.push(child));
  return out;
}

/** expm1(u) → exp(u) − 1 and log1p(u) → log(u + 1): the same function, in a form mathjs can differentiate. */
function differentiable(node: MathNode, parse: MathJsInstance['parse']): MathNode {
  return node.transform((n) => {
    if (n.type !== 'FunctionNode') return n;
    const call = n as Call;
    const name = (call.fn as Named).name;
    if (name !== 'expm1' && name !== 'log1p') return n;
    const template = parse(name === 'expm1' ? 'exp(u) - 1' : 'log(u + 1)');
    return template.transform((t) => (t.type === 'SymbolNode' && (t as Named).name === 'u' ? call.args[0] : t));
  });
}

/** Knobs of the check, for tests. */
export interface CustomActivationOptions {
  /** Time allowed for the monotonicity check, in ms. @default CUSTOM_CHECK_TIME_LIMIT_MS */
  readonly timeLimitMs?: number;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
}

/**
 * A custom output activation φ typed as an expression in x (mathjs syntax),
 * e.g. `x + 0.5 * tanh(x)`. φ′ is derived symbolically; φ⁻¹ is computed
 * numerically (bracketing, then Newton steps safeguarded by bisection).
 *
 * Only a scalar expression is accepted: at most MAX_EXPRESSION_LENGTH
 * characters and MAX_EXPRESSION_DEPTH levels, built from x, numbers, e and pi,
 * + − * / ^ and the functions in CUSTOM_FUNCTIONS. Anything else (matrices,
 * ranges, indexing, assignment, strings, units, other functions) is refused
 * before anything is evaluated, and evaluation runs in a mathjs instance whose
 * import, parse, evaluate, matrix constructors and the like are disabled.
 *
 * Refused, with the reason, when the expression does not parse, breaks those
 * rules, has no symbolic derivative, or is not strictly increasing on a grid
 * over [−8, 8] (an inversion needs an invertible φ), or when that check takes
 * longer than its time limit.
 *
 * @throws RangeError whose one-line message names the problem.
 */
export function compileCustomActivation(
  expression: string,
  options: CustomActivationOptions = {},
): {
  functions: ActivationFunctions;
  derivativeText: string;
} {
  const shown = clip(expression);
  const refuse = (why: string, cause?: unknown): never => {
    throw new RangeError(`custom activation "${shown}" ${why}`, cause === undefined ? undefined : { cause });
  };
  if (expression.length > MAX_EXPRESSION_LENGTH)
    refuse(`is ${expression.length} characters long, over the limit of ${MAX_EXPRESSION_LENGTH}`);
  const { parse, derivative } = restrictedMath();
  let node: MathNode;
  try {
    node = parse(expression);
  } catch (e) {
    return refuse(`does not parse: ${firstLine(e)}`, e);
  }
  const why = whyRefused(node);
  if (why !== undefined) refuse(why);
  let d: MathNode;
  try {
    // No simplification: mathjs's simplify takes exponential time on nested expressions.
    d = derivative(differentiable(node, parse), 'x', { simplify: false });
  } catch (e) {
    return refuse(`has no symbolic derivative: ${firstLine(e)}`, e);
  }
  const f = node.compile();
  const df = d.compile();
  const forward = (x: number): number => Number(f.evaluate({ x }));
  const deriv = (x: number): number => Number(df.evaluate({ x }));

  const limit = options.timeLimitMs ?? CUSTOM_CHECK_TIME_LIMIT_MS;
  const now = options.now ?? Date.now;
  const started = now();
  const fmt = (v: number) => Number(v.toPrecision(6));
  try {
    let previous = forward(-GRID_LIMIT);
    if (!Number.isFinite(previous)) refuse(`is not finite at x = ${-GRID_LIMIT}`);
    for (let k = -GRID_LIMIT * GRID_DENSITY + 1; k <= GRID_LIMIT * GRID_DENSITY; k++) {
      if (now() - started > limit) refuse(`took more than ${limit} ms to check on its grid; use a simpler expression`);
      const x = k / GRID_DENSITY;
      const y = forward(x);
      if (!Number.isFinite(y)) refuse(`is not finite at x = ${x}`);
      if (!(y > previous)) {
        refuse(
          `is not strictly increasing: φ(${fmt(x - 1 / GRID_DENSITY)}) = ${fmt(previous)} ≥ φ(${fmt(x)}) = ${fmt(y)}`,
        );
      }
      const slope = deriv(x);
      if (!(slope >= 0)) refuse(`has the derivative ${clip(d.toString())} = ${slope} at x = ${x}`);
      previous = y;
    }
  } catch (e) {
    if (e instanceof RangeError && e.message.startsWith('custom activation')) throw e;
    refuse(`cannot be evaluated: ${firstLine(e)}`, e);
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

/** Expressions and derivatives quoted in messages are cut to 40 characters: the message stays one short line. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}
