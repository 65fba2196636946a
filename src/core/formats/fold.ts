import { matrix, type Matrix } from '../linalg/matrix';
import { checkActivation, type OutputActivation } from '../model/activations';
import { checkGenerator, type Generator, type Layer } from '../model/generator';
import { checkCount, MAX_LAYERS } from './budget';
import { ModelFormatError } from './errors';

/**
 * A network as a sequence of modules, the common ground of every importer
 * (ONNX graphs, PyTorch nn.Sequential state dicts with or without an
 * architecture sidecar). `where` names the node or tensor for messages.
 */
export type NetModule =
  /** y = W x + b with W [out, in]. */
  | { readonly type: 'linear'; readonly where: string; readonly W: Matrix; readonly b: Float64Array }
  /** y = γ (x − μ)/√(σ² + eps) + β, per feature (inference mode). */
  | {
      readonly type: 'batchnorm';
      readonly where: string;
      readonly gamma: Float64Array;
      readonly beta: Float64Array;
      readonly mean: Float64Array;
      readonly variance: Float64Array;
      readonly eps: number;
    }
  | { readonly type: 'relu'; readonly where: string }
  /** Any other elementwise activation. */
  | { readonly type: 'activation'; readonly where: string; readonly activation: OutputActivation }
  /** An activation that is not invertible or not supported (e.g. ReLU6); refused unless unused. */
  | { readonly type: 'unsupported'; readonly where: string; readonly why: string };

/**
 * Folds a module sequence into the paper's generator: every Linear, with a
 * BatchNorm directly after it folded in (W' = diag(γ/√(σ²+eps)) W,
 * b' = γ(b − μ)/√(σ²+eps) + β), then ReLU for a hidden layer; the last Linear
 * may be followed by one invertible output activation.
 *
 * @param prefix starts every error message (e.g. `Cannot use this ONNX model: `).
 * @throws ModelFormatError naming the module and why it cannot be inverted.
 */
export function foldModules(
  format: string,
  prefix: string,
  modules: readonly NetModule[],
  name: string,
  inputDim?: number,
): Generator {
  const fail = (message: string): never => {
    throw new ModelFormatError(format, `${prefix}${message}`);
  };
  let linearCount = 0;
  for (const m of modules) if (m.type === 'linear') linearCount++;
  checkCount(format, linearCount, MAX_LAYERS, 'linear layers');
  const layers: Layer[] = [];
  let current: { W: Float64Array; rows: number; cols: number; b: Float64Array; where: string } | undefined;
  let closed = false; // the current affine map has been followed by a ReLU
  let output: OutputActivation | undefined;

  for (let k = 0; k < modules.length; k++) {
    const m = modules[k];
    if (output !== undefined)
      fail(`${m.where} follows the output activation; the output activation must be the last operation`);
    switch (m.type) {
      case 'linear': {
        if (current !== undefined && !closed) {
          fail(
            `${m.where} follows ${current.where} with no ReLU between them; two linear maps in a row are not a layer of a ReLU network`,
          );
        }
        if (current !== undefined) layers.push({ W: matrix(current.rows, current.cols, current.W), b: current.b });
        current = {
          W: Float64Array.from(m.W.data),
          rows: m.W.rows,
          cols: m.W.cols,
          b: Float64Array.from(m.b),
          where: m.where,
        };
        closed = false;
        break;
      }
      case 'batchnorm': {
        if (current === undefined || closed) {
          fail(`${m.where} does not directly follow a linear layer; only Linear → BatchNorm folds into the linear map`);
        }
        const cur = current!;
        for (const [label, v] of [
          ['scale', m.gamma],
          ['bias', m.beta],
          ['mean', m.mean],
          ['variance', m.variance],
        ] as const) {
          if (v.length !== cur.rows)
            fail(`${m.where}: its ${label} has ${v.length} entries but ${cur.where} outputs ${cur.rows}`);
        }
        for (let i = 0; i < cur.rows; i++) {
          const denom = Math.sqrt(m.variance[i] + m.eps);
          if (!(denom > 0))
            fail(`${m.where}: running variance + eps is ${m.variance[i] + m.eps} for feature ${i}, not positive`);
          const s = m.gamma[i] / denom;
          for (let j = 0; j < cur.cols; j++) cur.W[i * cur.cols + j] *= s;
          cur.b[i] = s * (cur.b[i] - m.mean[i]) + m.beta[i];
        }
        cur.where = `${cur.where} + ${m.where}`;
        break;
      }
      case 'relu':
        if (current === undefined) fail(`${m.where} (ReLU) comes before any linear layer`);
        if (closed) fail(`${m.where} (ReLU) follows another ReLU`);
        if (k === modules.length - 1)
          fail(
            `${m.where}: the output activation is ReLU, which is not invertible (it zeroes every negative pre-activation)`,
          );
        closed = true;
        break;
      case 'activation': {
        if (current === undefined) fail(`${m.where} comes before any linear layer`);
        if (closed) fail(`${m.where}: a hidden layer's activation must be ReLU`);
        const later = modules.slice(k + 1).find((x) => x.type === 'linear');
        if (later !== undefined)
          fail(`${m.where}: a hidden layer's activation must be ReLU (it is followed by ${later.where})`);
        const problem = checkActivation(m.activation);
        if (problem !== undefined) fail(`${m.where}: ${problem}`);
        output = m.activation;
        break;
      }
      case 'unsupported':
        fail(`${m.where}: ${m.why}`);
    }
  }
  if (current === undefined) fail('the network has no linear layer');
  if (closed)
    fail(`the network ends with a ReLU after ${current!.where}; its output activation would not be invertible`);
  layers.push({ W: matrix(current!.rows, current!.cols, current!.W), b: current!.b });
  const gen: Generator = {
    name,
    inputDim: inputDim ?? layers[0].W.cols,
    hidden: 'relu',
    output: output ?? { kind: 'identity' },
    layers,
  };
  const problem = checkGenerator(gen);
  if (problem !== undefined) fail(problem);
  return gen;
}
