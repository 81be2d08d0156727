/** Model compression: magnitude pruning and quantization-aware training (post-training quantization joins them here). */
export * from './prune/index.js';
export * from './qat/index.js';
