import { activationLabel, type OutputActivation } from './activations';
import { layerDims, parameterCount, type Generator, type ImageShape } from './generator';

/** One affine layer as shown to a user. */
export interface LayerSummary {
  /** 0-based index i of W_i. */
  readonly index: number;
  readonly inputs: number;
  readonly outputs: number;
  /** 'relu' for hidden layers, the output activation's label for the last. */
  readonly activation: string;
  readonly parameters: number;
}

/** What a user needs to know about a generator's architecture. */
export interface GeneratorSummary {
  readonly name: string;
  /** [n₀, n₁, …, n]. */
  readonly dims: number[];
  readonly inputDim: number;
  readonly outputDim: number;
  readonly hiddenLayers: number;
  readonly hidden: 'relu';
  /** The output activation's kind, e.g. `tanh`. */
  readonly output: OutputActivation['kind'];
  /** Its parameters, e.g. `{ kind: 'plu', alpha: 0.1, c: 1 }`. */
  readonly outputActivation: OutputActivation;
  readonly outputLabel: string;
  readonly parameters: number;
  readonly layers: LayerSummary[];
  /** The output's image shape [height, width] when recorded with the model (Generator.imageShape). */
  readonly imageShape?: ImageShape;
}

export function summarizeGenerator(gen: Generator): GeneratorSummary {
  const dims = layerDims(gen);
  const last = gen.layers.length - 1;
  return {
    name: gen.name,
    dims,
    inputDim: gen.inputDim,
    outputDim: dims[dims.length - 1],
    hiddenLayers: last,
    hidden: gen.hidden,
    output: gen.output.kind,
    outputActivation: gen.output,
    outputLabel: activationLabel(gen.output),
    parameters: parameterCount(gen),
    layers: gen.layers.map((l, i) => ({
      index: i,
      inputs: l.W.cols,
      outputs: l.W.rows,
      activation: i === last ? activationLabel(gen.output) : gen.hidden,
      parameters: l.W.data.length + l.b.length,
    })),
    ...(gen.imageShape !== undefined ? { imageShape: gen.imageShape } : {}),
  };
}
