/** Model compression: magnitude pruning (quantization joins it here). */
export * from './prune/index.js';
