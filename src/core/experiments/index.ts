export * from './stepper';
export * from './sparsity';
export * from './invert';
