/** Model compression: magnitude pruning, post-training quantization, quantization-aware training and knowledge distillation. */

export * from './distill/index.js';
export * from './prune/index.js';
export * from './qat/index.js';
export * from './quantize/index.js';
