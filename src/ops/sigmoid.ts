import type { TensorLike } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { sub } from './sub.js';

/** Sigmoid outputs and the logits they came from: see sigmoidLogits. */
const logitsOf = new WeakMap<Tensor, Tensor>();

/** 1 / (1 + e^-x) elementwise, without overflow. `sigmoid(logits)` Gradient: dy y (1 - y). */
export function sigmoid(x: TensorLike): Tensor {
  const y = unaryOp('sigmoid', x, (dy, _x, y) => mul(dy, mul(y, sub(1, y))), {
    rule: 'float',
    accepted: REAL,
  });
  if (x instanceof Tensor && x.dtype === 'float32' && y.dtype === 'float32') logitsOf.set(y, x);
  return y;
}

/**
 * The logits x when `y` is sigmoid(x), else undefined. Binary cross-entropy uses it as the
 * categorical losses use softmaxLogits: a sigmoid output's loss is computed from its logits.
 */
export function sigmoidLogits(y: Tensor): Tensor | undefined {
  return logitsOf.get(y);
}
