// Model files: Keel's safetensors-based format, weights, checkpoints, ONNX and TensorFlow.js.
export * from './atomic-write.js';
export * from './checkpoint/index.js';
export * from './gpt2.js';
export * from './keel-format/index.js';
export * from './keras/index.js';
export * from './onnx/index.js';
export * from './safetensors-read.js';
export * from './safetensors-writer.js';
export * from './tfjs/index.js';
