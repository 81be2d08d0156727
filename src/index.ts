/**
 * Keel: deep learning for TypeScript on Node.js.
 * `import { tensor, ops, layers, Sequential } from 'keel'`
 */
import './backends/index.js';

export { backward, grad } from './autograd/backward.js';
export { type GradCheckOptions, type GradCheckResult, gradCheck } from './autograd/grad-check.js';
export { isGradEnabled, noGrad } from './autograd/tape.js';
export { backendInfo, getBackend, listBackends, setBackend } from './backends/index.js';
export * as compress from './compress/index.js';
export * as augmentation from './data/augmentation/index.js';
export * as cleaning from './data/cleaning/index.js';
export { Dataset } from './data/dataset/index.js';
export * as datasets from './data/datasets/index.js';
export * as distributed from './distributed/index.js';
export * as io from './io/index.js';
export { loadModel } from './io/keel-format/model-file.js';
export { loadKerasModel, saveKerasModel } from './io/keras/index.js';
export * from './models/index.js';
export * as activations from './nn/activations/index.js';
export * as callbacks from './nn/callbacks/index.js';
export { getCustomObject, withCustomObjects } from './nn/engine/custom-objects.js';
export { Layer } from './nn/engine/layer.js';
export { SymbolicTensor } from './nn/engine/symbolic-tensor.js';
export * as initializers from './nn/initializers/index.js';
export * as layers from './nn/layers/index.js';
export * as losses from './nn/losses/index.js';
export * as metrics from './nn/metrics/index.js';
export * as optimizers from './nn/optimizers/index.js';
export * as regularizers from './nn/regularizers/index.js';
export * as schedules from './nn/schedules/index.js';
export * as ops from './ops/index.js';
export { getRng, Rng, setSeed } from './random/rng.js';
export * from './random/tensors.js';
export * from './tensor/create.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { type NestedArray, Tensor, Variable } from './tensor/tensor.js';
export * as text from './text/index.js';
export * as tracking from './tracking/index.js';
export * as tune from './tune/index.js';
export { toCategorical } from './utils/to-categorical.js';
