/**
 * The reference kernels, one per kernel of the contract (../../kernels.ts). The type makes the
 * table complete: a kernel added to the contract without a TypeScript implementation does not
 * compile. This is the only list of them.
 */
import type { Kernel, KernelName } from '../../kernels.js';
import { adamUpdateKernel } from './adam-update.js';
import { attention, attentionBackward } from './attention.js';
import { avgPool2dBackwardKernel, avgPool2dKernel } from './avg-pool2d.js';
import { binaryKernel, broadcastToKernel } from './binary.js';
import { concatKernel } from './concat.js';
import { conv2dKernel } from './conv2d.js';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import {
  depthwiseConv2dBackpropFilterKernel,
  depthwiseConv2dBackpropInputKernel,
  depthwiseConv2dKernel,
} from './depthwise-conv2d.js';
import {
  activationGradKernel,
  biasActivationKernel,
  fusedConv2dKernel,
  fusedDenseKernel,
} from './fused.js';
import { gatherKernel } from './gather.js';
import { geluTanh, geluTanhBackward } from './gelu.js';
import { gruBackwardKernel, gruKernel } from './gru.js';
import { layerNorm, layerNormBackward } from './layer-norm.js';
import { lstmBackwardKernel, lstmKernel } from './lstm.js';
import { matMulKernel } from './matmul.js';
import { maxPool2dBackwardKernel, maxPool2dKernel } from './max-pool2d.js';
import { oneHotKernel } from './one-hot.js';
import { padKernel } from './pad.js';
import { quantizedConv2dKernel, quantizedConv2dMaxPoolKernel } from './quantized-conv2d.js';
import { quantizedLstmKernel } from './quantized-lstm.js';
import {
  quantizedMatMulKernel,
  quantizeLinearKernel,
  quantizeUint8Kernel,
} from './quantized-matmul.js';
import { reduceKernel } from './reduce.js';
import { reverseKernel } from './reverse.js';
import { rmspropUpdateKernel } from './rmsprop-update.js';
import { sgdUpdateKernel } from './sgd-update.js';
import { simpleRnnBackwardKernel, simpleRnnKernel } from './simple-rnn.js';
import { sliceKernel } from './slice.js';
import { logSoftmaxKernel, softmaxKernel } from './softmax.js';
import { logSoftmaxBackwardKernel, softmaxBackwardKernel } from './softmax-backward.js';
import {
  softmaxCrossEntropyKernel,
  sparseSoftmaxCrossEntropyKernel,
} from './softmax-cross-entropy.js';
import { sparseDenseKernel } from './sparse-dense.js';
import { tileKernel } from './tile.js';
import { transposeKernel } from './transpose.js';
import { unaryKernel } from './unary.js';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum.js';
import { whereKernel } from './where.js';

export const REFERENCE_KERNELS: { [K in KernelName]: Kernel<K> } = {
  activationGrad: activationGradKernel,
  adamUpdate: adamUpdateKernel,
  avgPool2d: avgPool2dKernel,
  avgPool2dBackward: avgPool2dBackwardKernel,
  biasActivation: biasActivationKernel,
  binary: binaryKernel,
  broadcastTo: broadcastToKernel,
  concat: concatKernel,
  conv2d: conv2dKernel,
  conv2dBackpropFilter: conv2dBackpropFilterKernel,
  conv2dBackpropInput: conv2dBackpropInputKernel,
  depthwiseConv2d: depthwiseConv2dKernel,
  depthwiseConv2dBackpropFilter: depthwiseConv2dBackpropFilterKernel,
  depthwiseConv2dBackpropInput: depthwiseConv2dBackpropInputKernel,
  fusedConv2d: fusedConv2dKernel,
  fusedDense: fusedDenseKernel,
  gather: gatherKernel,
  sparseDense: sparseDenseKernel,
  geluTanh: geluTanh,
  geluTanhBackward: geluTanhBackward,
  gru: gruKernel,
  gruBackward: gruBackwardKernel,
  layerNorm: layerNorm,
  layerNormBackward: layerNormBackward,
  logSoftmax: logSoftmaxKernel,
  logSoftmaxBackward: logSoftmaxBackwardKernel,
  lstm: lstmKernel,
  quantizedLstm: quantizedLstmKernel,
  lstmBackward: lstmBackwardKernel,
  matMul: matMulKernel,
  maxPool2d: maxPool2dKernel,
  maxPool2dBackward: maxPool2dBackwardKernel,
  oneHot: oneHotKernel,
  pad: padKernel,
  quantizedMatMul: quantizedMatMulKernel,
  quantizeUint8: quantizeUint8Kernel,
  quantizeLinear: quantizeLinearKernel,
  quantizedConv2d: quantizedConv2dKernel,
  quantizedConv2dMaxPool: quantizedConv2dMaxPoolKernel,
  reduce: reduceKernel,
  reverse: reverseKernel,
  rmspropUpdate: rmspropUpdateKernel,
  scaledDotProductAttention: attention,
  scaledDotProductAttentionBackward: attentionBackward,
  sgdUpdate: sgdUpdateKernel,
  simpleRnn: simpleRnnKernel,
  simpleRnnBackward: simpleRnnBackwardKernel,
  slice: sliceKernel,
  softmax: softmaxKernel,
  softmaxBackward: softmaxBackwardKernel,
  softmaxCrossEntropy: softmaxCrossEntropyKernel,
  sparseSoftmaxCrossEntropy: sparseSoftmaxCrossEntropyKernel,
  tile: tileKernel,
  transpose: transposeKernel,
  unary: unaryKernel,
  unsortedSegmentSum: unsortedSegmentSumKernel,
  where: whereKernel,
};
