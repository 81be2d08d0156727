export * from './adam.js';
export * from './adamw.js';
export * from './get-optimizer.js';
export * from './optimizer.js';
export * from './rmsprop.js';
export * from './sgd.js';
