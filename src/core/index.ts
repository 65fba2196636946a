// The pure domain of Pursuit Lab: no DOM, no Node, no Electron.
export * from './linalg/matrix';
export * from './linalg/gemm';
export * from './linalg/rng';
export * from './metrics';
export * from './model/activations';
export * from './model/generator';
export * from './model/forward';
export * from './model/summary';
export * from './model/random';
export * from './formats/index';
export * from './formats/json';
export * from './experiments/stepper';
export * from './experiments/sparsity';
