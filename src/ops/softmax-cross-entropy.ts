import { isGradEnabled, record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { SoftmaxCrossEntropyAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { expandDims } from './expand-dims.js';
import { logSoftmax } from './log-softmax.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { softmax } from './softmax.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * Cross-entropy of softmax(logits) against soft or one-hot targets over the last axis, fused and
 * stable: Σ t (ln Σ e^x - x). logits and targets: [..., classes], float32; result: [...].
 * `softmaxCrossEntropy(logits, oneHot(labels, 10))`. Gradient by the logits:
 * (softmax(x) Σ t - t) dy, computed by the forward kernel and kept.
 */
export function softmaxCrossEntropy(logitsLike: TensorLike, targetsLike: TensorLike): Tensor {
  const logits = toTensor(logitsLike);
  const targets = toTensor(targetsLike);
  checkDType('softmaxCrossEntropy', 'logits', logits.dtype, ['float32']);
  checkDType('softmaxCrossEntropy', 'targets', targets.dtype, ['float32']);
  if (logits.rank === 0 || !shapesEqual(logits.shape, targets.shape))
    throw new RangeError(
      `softmaxCrossEntropy: logits ${formatShape(logits.shape)} and targets ${formatShape(targets.shape)} must have the same shape [..., classes]`,
    );
  const outer = logits.shape.slice(0, -1);
  const loss = emptyTensor(outer, 'float32');
  const grad = emptyTensor(logits.shape, 'float32');
  runKernel('softmaxCrossEntropy', [logits, targets], [loss, grad], {
    rows: loss.size,
    classes: logits.shape.at(-1)!,
  } satisfies SoftmaxCrossEntropyAttrs);
  return record('softmaxCrossEntropy', [logits, targets], loss, (dy) => {
    const g = expandDims(dy, -1);
    const dTargets = targets.requiresGrad ? neg(mul(logSoftmax(logits), g)) : null;
    // A recorded backward pass needs the gradient as ops on the logits, not the kept constant.
    const dLogits = isGradEnabled()
      ? mul(sub(mul(softmax(logits), sum(targets, -1, true)), targets), g)
      : mul(grad, g);
    return [dLogits, dTargets];
  });
}
