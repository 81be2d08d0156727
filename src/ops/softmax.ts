import { isGradEnabled, record } from '../autograd/tape.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { runAlongAxis, runAlongAxisBackward } from './internal/along-axis.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/** Softmax outputs (over the last axis) and the logits they came from: see softmaxLogits. */
const logitsOf = new WeakMap<Tensor, Tensor>();

/**
 * e^x / Σ e^x along `axis`, float32, stable for large inputs (the maximum is subtracted first).
 * `softmax(tensor([1, 2, 3]))` is [0.090, 0.245, 0.665]. Gradient: y (dy - Σ dy y), one fused
 * kernel ('softmaxBackward'); public ops when the backward pass is itself recorded.
 */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const { x: input, y, axis: a } = runAlongAxis('softmax', x, axis);
  if (a === input.rank - 1) logitsOf.set(y, input);
  return record('softmax', [input], y, (dy) => [
    isGradEnabled()
      ? mul(y, sub(dy, sum(mul(dy, y), a, true)))
      : runAlongAxisBackward('softmaxBackward', dy, y, a),
  ]);
}

/**
 * The logits x when `y` is softmax(x) over the last axis, else undefined. Cross-entropy losses
 * use it as Keras does: a softmax output layer's loss is computed from its logits, stably.
 */
export function softmaxLogits(y: Tensor): Tensor | undefined {
  return logitsOf.get(y);
}
