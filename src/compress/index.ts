/** Model compression: magnitude pruning, post-training quantization and quantization-aware training. */
export * from './prune/index.js';
export * from './qat/index.js';
export * from './quantize/index.js';
