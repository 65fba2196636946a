import { randomGaussianGenerator, writeJsonModel } from '../src/core/index';

export const DEFAULT_MODEL_FILE = 'gaussian-100-300-625-tanh.json';

/** The exact text of the bundled default model. */
export function defaultModelText(): string {
  const gen = randomGaussianGenerator([100, 300, 625], { kind: 'tanh' }, 0, 'Gaussian 100-300-625 (tanh)');
  return writeJsonModel(gen, {
    significantDigits: 6,
    description:
      "The paper's Fig. 2 shape: G(z) = tanh(W1 ReLU(W0 z)), W_i i.i.d. N(0, 1/fan-in), zero biases, seed 0. Made by scripts/make-default-model.ts.",
  });
}
