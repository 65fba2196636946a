export * from './stepper';
export * from './sparsity';
export * from './invert';
export * from './jobs';
