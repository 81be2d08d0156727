/** Model compression: magnitude pruning, post-training quantization, quantization-aware training, knowledge distillation and the compression report. */

export * from './distill/index.js';
export * from './prune/index.js';
export * from './qat/index.js';
export * from './quantize/index.js';
export * from './report/index.js';
export * from './weight-only/index.js';
