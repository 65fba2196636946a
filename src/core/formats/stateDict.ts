import { matrix } from '../linalg/matrix';
import { checkActivation } from '../model/activations';
import { imageShapeProblem, type Generator, type ImageShape } from '../model/generator';
import { checkCount, MAX_LAYERS } from './budget';
import { ModelFormatError } from './errors';
import { foldModules, type NetModule } from './fold';
import type { OpenOptions } from './format';
import { parseJsonText } from './jsonText';

/** A named tensor from a weights-only file (float64 values, row-major). */
export interface NamedTensor {
  readonly shape: number[];
  readonly data: Float64Array;
}

export const ARCHITECTURE_TAG = 'pursuit-lab/architecture';

const ACTIVATION_TYPES = ['relu', 'tanh', 'sigmoid', 'leaky_relu', 'plu', 'identity'];

/**
 * Turns a PyTorch `nn.Sequential` state dict (safetensors, npz) into a
 * generator. With an architecture sidecar the module order and activations
 * come from it; without one they are inferred from the names (`0.weight`,
 * `1.running_mean`, …): Linear where `weight` is 2-D, BatchNorm where
 * `running_mean` exists (eps 1e-5, PyTorch's default), ReLU after every
 * hidden layer, and the output activation from `options.output` — the file
 * cannot tell it, so without it the error says so (`needs: 'output-activation'`).
 */
export function generatorFromStateDict(
  format: string,
  tensors: Map<string, NamedTensor>,
  fallbackName: string,
  options: OpenOptions = {},
): Generator {
  const prefix = `Cannot use this ${format} model: `;
  const fail = (message: string): never => {
    throw new ModelFormatError(format, `${prefix}${message}`);
  };
  const tensor = (name: string, rank: number): NamedTensor => {
    const t = tensors.get(name);
    if (t === undefined) fail(`the tensor "${name}" is missing`);
    if (t!.shape.length !== rank)
      fail(`the tensor "${name}" has shape [${t!.shape.join(', ')}], expected ${rank} dimension(s)`);
    return t!;
  };
  const linear = (name: string): NetModule => {
    const w = tensor(`${name}.weight`, 2);
    const [out, inn] = w.shape;
    const b = tensors.has(`${name}.bias`) ? tensor(`${name}.bias`, 1).data : new Float64Array(out);
    if (b.length !== out) fail(`"${name}.bias" has ${b.length} entries but "${name}.weight" has ${out} rows`);
    // No copies here: foldModules copies what it folds, and the budget counted one copy.
    return { type: 'linear', where: `module "${name}" (Linear)`, W: matrix(out, inn, w.data), b };
  };
  const batchnorm = (name: string, eps: number): NetModule => {
    const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map(
      (k) => tensor(`${name}.${k}`, 1).data,
    );
    const n = mean.length;
    if (gamma.length !== n || beta.length !== n || variance.length !== n)
      fail(`module "${name}" (BatchNorm) has parameters of different lengths`);
    return { type: 'batchnorm', where: `module "${name}" (BatchNorm)`, gamma, beta, mean, variance, eps };
  };

  let modules: NetModule[];
  let inputDim: number | undefined;
  let sidecarShape: unknown;
  if (options.architecture !== undefined) {
    const doc = parseJsonText(new TextDecoder().decode(options.architecture), format, fail, 'the architecture sidecar');
    const d = doc as {
      format?: unknown;
      version?: unknown;
      inputDim?: unknown;
      modules?: unknown;
      imageShape?: unknown;
    };
    if (typeof d !== 'object' || d === null || d.format !== ARCHITECTURE_TAG)
      fail(`the architecture sidecar must have "format": "${ARCHITECTURE_TAG}"`);
    if (d.version !== 1) fail(`the architecture sidecar's version ${JSON.stringify(d.version)} is not supported (1)`);
    if (!Array.isArray(d.modules) || d.modules.length === 0)
      fail('the architecture sidecar needs a non-empty "modules" list');
    // Linear, BatchNorm, ReLU and an activation: at most four modules a layer.
    checkCount(format, (d.modules as unknown[]).length, 4 * MAX_LAYERS, 'modules in its architecture sidecar');
    sidecarShape = d.imageShape;
    if (d.inputDim !== undefined) {
      if (!(Number.isInteger(d.inputDim) && (d.inputDim as number) > 0))
        fail(`the architecture sidecar's inputDim must be a positive integer`);
      inputDim = d.inputDim as number;
    }
    modules = (d.modules as Record<string, unknown>[]).map((m, k) => {
      const field = `modules[${k}]`;
      const type = m?.type;
      const name = typeof m?.name === 'string' ? m.name : undefined;
      const where = `${field} (${String(type)})`;
      switch (type) {
        case 'linear':
          if (name === undefined) fail(`${field}: a linear module needs the "name" of its tensors`);
          return linear(name!);
        case 'batchnorm': {
          if (name === undefined) fail(`${field}: a batchnorm module needs the "name" of its tensors`);
          const eps = m.eps === undefined ? 1e-5 : m.eps;
          if (typeof eps !== 'number' || !(eps >= 0)) fail(`${field}.eps must be a number ≥ 0`);
          return batchnorm(name!, eps as number);
        }
        case 'relu':
          return { type: 'relu', where };
        case 'identity':
          return { type: 'activation', where, activation: { kind: 'identity' } };
        case 'tanh':
        case 'sigmoid':
          return { type: 'activation', where, activation: { kind: type } };
        case 'leaky_relu':
          return {
            type: 'activation',
            where,
            activation: { kind: 'leaky_relu', slope: typeof m.slope === 'number' ? m.slope : 0.01 },
          };
        case 'plu':
          if (typeof m.alpha !== 'number' || typeof m.c !== 'number')
            fail(`${field}: a plu module needs numbers "alpha" and "c"`);
          return { type: 'activation', where, activation: { kind: 'plu', alpha: m.alpha as number, c: m.c as number } };
        default:
          return fail(
            `${field}: unknown module type ${JSON.stringify(type)} (known: linear, batchnorm, ${ACTIVATION_TYPES.join(', ')})`,
          );
      }
    });
  } else {
    // Group tensors by module prefix, in nn.Sequential order (numeric segments compared as numbers).
    const groups = new Map<string, Set<string>>();
    for (const key of tensors.keys()) {
      const dot = key.lastIndexOf('.');
      if (dot <= 0) fail(`the tensor "${key}" is not named like an nn.Sequential parameter ("<index>.weight")`);
      const prefix = key.slice(0, dot);
      groups.set(prefix, (groups.get(prefix) ?? new Set()).add(key.slice(dot + 1)));
    }
    // Two tensors or more per module: refuse a file with more modules than a generator has layers before sorting them.
    checkCount(format, groups.size, 4 * MAX_LAYERS, 'modules (groups of tensors)');
    const order = [...groups.keys()].sort(naturalCompare);
    const found: NetModule[] = [];
    for (const prefix of order) {
      const fields = groups.get(prefix)!;
      if (fields.has('running_mean')) found.push(batchnorm(prefix, 1e-5));
      else if (fields.has('weight') && tensors.get(`${prefix}.weight`)!.shape.length === 2) found.push(linear(prefix));
      else
        fail(
          `cannot tell what module "${prefix}" is (tensors: ${[...fields].join(', ')}); add an architecture sidecar`,
        );
      for (const f of fields) {
        if (!['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].includes(f))
          fail(`unexpected tensor "${prefix}.${f}"; add an architecture sidecar`);
      }
    }
    if (options.output === undefined) {
      throw new ModelFormatError(
        format,
        `${prefix}the file holds only weights and cannot tell the output activation: choose it (identity, tanh, sigmoid, leaky_relu, plu) or add an architecture sidecar (NAME.arch.json)`,
        'output-activation',
      );
    }
    const problem = checkActivation(options.output!);
    if (problem !== undefined) fail(problem);
    modules = [];
    // A ReLU follows every module that has a Linear somewhere after it (one index, not a scan per module: linear time).
    let lastLinear = -1;
    found.forEach((m, k) => {
      if (m.type === 'linear') lastLinear = k;
    });
    found.forEach((m, k) => {
      modules.push(m);
      const nextIsBn = found[k + 1]?.type === 'batchnorm';
      if (k < lastLinear && !nextIsBn) modules.push({ type: 'relu', where: `the ReLU after ${m.where}` });
    });
    modules.push({ type: 'activation', where: 'the chosen output activation', activation: options.output! });
  }
  const gen = foldModules(format, prefix, modules, fallbackName, inputDim);
  if (sidecarShape === undefined) return gen;
  // The sidecar's image shape, checked against the folded model's output.
  const n = gen.layers[gen.layers.length - 1].W.rows;
  const problem = imageShapeProblem(sidecarShape, n);
  if (problem !== undefined) fail(`the architecture sidecar's ${problem}`);
  return { ...gen, imageShape: sidecarShape as ImageShape };
}

function naturalCompare(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const na = Number(pa[i]);
    const nb = Number(pb[i]);
    const cmp = Number.isInteger(na) && Number.isInteger(nb) ? na - nb : pa[i] < pb[i] ? -1 : pa[i] > pb[i] ? 1 : 0;
    if (cmp !== 0) return cmp;
  }
  return pa.length - pb.length;
}
