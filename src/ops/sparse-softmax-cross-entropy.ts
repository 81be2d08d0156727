import { isGradEnabled, record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { SoftmaxCrossEntropyAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { expandDims } from './expand-dims.js';
import { greaterEqual } from './greater-equal.js';
import { toIndexTensor } from './internal/indices.js';
import { mul } from './mul.js';
import { oneHot } from './one-hot.js';
import { softmax } from './softmax.js';
import { sub } from './sub.js';

/**
 * Cross-entropy of softmax(logits) against integer labels, fused and stable: ln Σ e^x - x[label].
 * logits: [..., classes] float32; labels: [...] int32 in [0, classes), or -1 for an entry that is
 * ignored (loss 0, gradient 0); result: [...]. `sparseSoftmaxCrossEntropy(logits, [3, 0])`.
 * Gradient by the logits: (softmax(x) - onehot(label)) dy, computed by the forward kernel and kept.
 */
export function sparseSoftmaxCrossEntropy(logitsLike: TensorLike, labelsLike: TensorLike): Tensor {
  const logits = toTensor(logitsLike);
  const labels = toIndexTensor('sparseSoftmaxCrossEntropy', 'labels', labelsLike);
  checkDType('sparseSoftmaxCrossEntropy', 'logits', logits.dtype, ['float32']);
  const outer = logits.shape.slice(0, -1);
  if (logits.rank === 0 || !shapesEqual(outer, labels.shape))
    throw new RangeError(
      `sparseSoftmaxCrossEntropy: labels ${formatShape(labels.shape)} must be logits ${formatShape(logits.shape)} without the class axis`,
    );
  const classes = logits.shape.at(-1)!;
  const l = labels.data;
  for (let i = 0; i < l.length; i++)
    if (!(l[i]! >= -1 && l[i]! < classes))
      throw new RangeError(
        `sparseSoftmaxCrossEntropy: label ${l[i]} at index ${i} is outside [0, ${classes}) (or -1 to ignore)`,
      );
  const loss = emptyTensor(outer, 'float32');
  const grad = emptyTensor(logits.shape, 'float32');
  runKernel('sparseSoftmaxCrossEntropy', [logits, labels], [loss, grad], {
    rows: loss.size,
    classes,
  } satisfies SoftmaxCrossEntropyAttrs);
  return record('sparseSoftmaxCrossEntropy', [logits, labels], loss, (dy) => {
    const g = expandDims(dy, -1);
    if (!isGradEnabled()) return [mul(grad, g), null];
    // A recorded backward pass needs the gradient as ops on the logits, not the kept constant.
    const valid = expandDims(cast(greaterEqual(labels, 0), 'float32'), -1);
    return [mul(mul(sub(softmax(logits), oneHot(labels, classes)), valid), g), null];
  });
}
