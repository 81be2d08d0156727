/** Model compression: magnitude pruning and post-training quantization. */
export * from './prune/index.js';
export * from './quantize/index.js';
