export * from './stepper';
export * from './sparsity';
