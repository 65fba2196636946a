export * from './stepper';
export * from './sparsity';
export * from './invert';
export * from './jobs';
export * from './sweep';
export * from './trained';
export * from './noise';
export * from './reconstruct';
