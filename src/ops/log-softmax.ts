import { isGradEnabled, record } from '../autograd/tape.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { exp } from './exp.js';
import { runAlongAxis, runAlongAxisBackward } from './internal/along-axis.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * x - ln Σ e^x along `axis`, float32, finite for any finite input (`logSoftmax([1000, 0])` is
 * [0, -1000]). `logSoftmax(logits)` Gradient: dy - e^y Σ dy, one fused kernel
 * ('logSoftmaxBackward'); public ops when the backward pass is itself recorded.
 */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const { x: input, y, axis: a } = runAlongAxis('logSoftmax', x, axis);
  return record('logSoftmax', [input], y, (dy) => [
    isGradEnabled()
      ? sub(dy, mul(exp(y), sum(dy, a, true)))
      : runAlongAxisBackward('logSoftmaxBackward', dy, y, a),
  ]);
}
