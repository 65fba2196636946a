import {
  customActivationCompiler,
  CustomActivationsNotLoadedError,
  type CustomActivationCompiler,
} from './customActivationLoader';

/**
 * Output activations φ of a generator. Each is strictly increasing, so it has
 * an inverse φ⁻¹ on its range; the pursuit algorithms use φ, φ⁻¹ and φ′.
 */
export type OutputActivation =
  | { readonly kind: 'identity' }
  | { readonly kind: 'tanh' }
  | { readonly kind: 'sigmoid' }
  /** max(x, slope·x) with slope > 0 (slope 0 would not be invertible). */
  | { readonly kind: 'leaky_relu'; readonly slope: number }
  /** Piecewise linear unit: max(α(x+c) − c, min(α(x−c) + c, x)), α > 0, c ≥ 0. */
  | { readonly kind: 'plu'; readonly alpha: number; readonly c: number }
  /** An expression in x (mathjs syntax), checked to be strictly increasing; see customActivation.ts. */
  | { readonly kind: 'custom'; readonly expression: string };

export type OutputActivationKind = OutputActivation['kind'];

export const OUTPUT_ACTIVATION_KINDS: readonly OutputActivationKind[] = [
  'identity',
  'tanh',
  'sigmoid',
  'leaky_relu',
  'plu',
  'custom',
];

// Compiling and checking an expression costs a few milliseconds: once per expression.
// Bounded, so that a stream of distinct expressions cannot grow it without limit.
const customCache = new Map<string, ReturnType<CustomActivationCompiler>>();
const CUSTOM_CACHE_SIZE = 64;
function compiledCustom(expression: string) {
  let c = customCache.get(expression);
  if (c === undefined) {
    // Throws CustomActivationsNotLoadedError until the thread has loaded the compiler (customActivationLoader.ts).
    c = customActivationCompiler()(expression);
    if (customCache.size >= CUSTOM_CACHE_SIZE) customCache.clear();
    customCache.set(expression, c);
  }
  return c;
}

/** The three scalar maps the algorithms need. */
export interface ActivationFunctions {
  /** φ(x). */
  forward(x: number): number;
  /** φ⁻¹(y); NaN where y lies outside φ's range (e.g. |y| ≥ 1 for tanh). */
  inverse(y: number): number;
  /** φ′(x). */
  derivative(x: number): number;
}

/**
 * Checks an activation's parameters.
 * @returns a message naming the bad parameter, or undefined when valid.
 */
export function checkActivation(act: OutputActivation): string | undefined {
  switch (act.kind) {
    case 'leaky_relu':
      if (!(Number.isFinite(act.slope) && act.slope > 0)) {
        return `leaky_relu slope must be a finite number > 0 (got ${act.slope}); slope 0 is ReLU, which cannot be inverted`;
      }
      return undefined;
    case 'plu':
      if (!(Number.isFinite(act.alpha) && act.alpha > 0)) {
        return `plu alpha must be a finite number > 0 (got ${act.alpha})`;
      }
      if (!(Number.isFinite(act.c) && act.c >= 0)) return `plu c must be a finite number ≥ 0 (got ${act.c})`;
      return undefined;
    case 'custom':
      try {
        compiledCustom(act.expression);
        return undefined;
      } catch (e) {
        // A thread without the compiler has not judged the expression: no verdict, the host's await is missing.
        if (e instanceof CustomActivationsNotLoadedError) throw e;
        return (e as Error).message;
      }
    default:
      return undefined;
  }
}

/** φ, φ⁻¹ and φ′ for an output activation. */
export function activationFunctions(act: OutputActivation): ActivationFunctions {
  switch (act.kind) {
    case 'identity':
      return { forward: (x) => x, inverse: (y) => y, derivative: () => 1 };
    case 'tanh':
      return {
        forward: Math.tanh,
        inverse: (y) => (y > -1 && y < 1 ? Math.atanh(y) : Number.NaN),
        derivative: (x) => {
          const t = Math.tanh(x);
          return 1 - t * t;
        },
      };
    case 'sigmoid':
      return {
        forward: sigmoid,
        inverse: (y) => (y > 0 && y < 1 ? Math.log(y / (1 - y)) : Number.NaN),
        derivative: (x) => {
          const s = sigmoid(x);
          return s * (1 - s);
        },
      };
    case 'leaky_relu': {
      const a = act.slope;
      return {
        forward: (x) => (x >= 0 ? x : a * x),
        inverse: (y) => (y >= 0 ? y : y / a),
        derivative: (x) => (x >= 0 ? 1 : a),
      };
    }
    case 'custom':
      return compiledCustom(act.expression).functions;
    case 'plu': {
      const { alpha, c } = act;
      return {
        forward: (x) => (x > c ? alpha * (x - c) + c : x < -c ? alpha * (x + c) - c : x),
        inverse: (y) => (y > c ? (y - c) / alpha + c : y < -c ? (y + c) / alpha - c : y),
        derivative: (x) => (x > c || x < -c ? alpha : 1),
      };
    }
  }
}

/**
 * φ″ for Newton steps (debias.ts): exact for tanh (−2φφ′) and sigmoid
 * (φ′(1 − 2φ)), 0 for the piecewise-linear ones (identity, leaky_relu, plu;
 * their kinks have no curvature to use), and a central difference of φ′ for a
 * custom expression (its accuracy only sets how fast Newton converges, not
 * where: the gradient stays exact).
 */
export function activationSecondDerivative(act: OutputActivation, phi: ActivationFunctions): (x: number) => number {
  switch (act.kind) {
    case 'tanh':
      return (x) => {
        const t = Math.tanh(x);
        return -2 * t * (1 - t * t);
      };
    case 'sigmoid':
      return (x) => {
        const s = sigmoid(x);
        return s * (1 - s) * (1 - 2 * s);
      };
    case 'custom':
      return (x) => {
        const h = 1e-5 * Math.max(1, Math.abs(x));
        return (phi.derivative(x + h) - phi.derivative(x - h)) / (2 * h);
      };
    default:
      return () => 0;
  }
}

/** A short human label, e.g. `tanh`, `leaky_relu(0.2)`, `plu(α=0.1, c=1)`. */
export function activationLabel(act: OutputActivation): string {
  switch (act.kind) {
    case 'leaky_relu':
      return `leaky_relu(${act.slope})`;
    case 'plu':
      return `plu(α=${act.alpha}, c=${act.c})`;
    case 'custom':
      return `custom(${act.expression})`;
    default:
      return act.kind;
  }
}

function sigmoid(x: number): number {
  // Two branches keep exp from overflowing for large |x|.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Chosen output activation from a name, as the CLI and the app offer them (default parameters). */
export function outputActivationByName(name: string): OutputActivation | undefined {
  switch (name) {
    case 'identity':
    case 'tanh':
    case 'sigmoid':
      return { kind: name };
    case 'leaky_relu':
      return { kind: 'leaky_relu', slope: 0.2 };
    case 'plu':
      return { kind: 'plu', alpha: 0.1, c: 1 };
    default: {
      const custom = /^custom\((.+)\)$/.exec(name);
      return custom ? { kind: 'custom', expression: custom[1] } : undefined;
    }
  }
}
