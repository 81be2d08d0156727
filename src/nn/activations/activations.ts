// The built-in activations (Keras's keras.activations), each a thin, named function of public ops.
// They share one file because each is a line long; getActivation looks them up by name.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';

/** An activation: a function from a tensor to a tensor of the same shape. */
export type ActivationFn = (x: Tensor) => Tensor;

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return ops.relu(x);
}

/** min(max(x, 0), 6). */
export function relu6(x: Tensor): Tensor {
  return ops.relu6(x);
}

/** x for x > 0, negativeSlope · x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.2): Tensor {
  return ops.leakyRelu(x, negativeSlope);
}

/** x for x > 0, alpha · (exp(x) - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return ops.elu(x, alpha);
}

/** scale · elu(x, alpha) with the self-normalizing constants (use with lecunNormal). */
export function selu(x: Tensor): Tensor {
  return ops.selu(x);
}

/** 1 / (1 + exp(-x)). */
export function sigmoid(x: Tensor): Tensor {
  return ops.sigmoid(x);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return ops.tanh(x);
}

/** exp(x_i) / Σ_j exp(x_j) along `axis` (the last by default). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return ops.softmax(x, axis);
}

/** log(softmax(x)) along `axis`, computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return ops.logSoftmax(x, axis);
}

/** x · Φ(x), Φ the standard normal CDF; `approximate` uses the tanh formula. */
export function gelu(x: Tensor, approximate = false): Tensor {
  return ops.gelu(x, approximate);
}

/** log(1 + exp(x)). */
export function softplus(x: Tensor): Tensor {
  return ops.softplus(x);
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return ops.div(x, ops.add(ops.abs(x), 1));
}

/** x · sigmoid(x) (also called swish). */
export function silu(x: Tensor): Tensor {
  return ops.silu(x);
}

/** relu6(x + 3) / 6, Keras 3's piecewise-linear sigmoid. */
export function hardSigmoid(x: Tensor): Tensor {
  return ops.div(ops.relu6(ops.add(x, 3)), 6);
}

/** x · hardSigmoid(x) (also called hard swish). */
export function hardSilu(x: Tensor): Tensor {
  return ops.mul(x, hardSigmoid(x));
}

/** x · tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return ops.mul(x, ops.tanh(ops.softplus(x)));
}

/** exp(x). */
export function exponential(x: Tensor): Tensor {
  return ops.exp(x);
}

/** The identity: x unchanged (a layer's default activation). */
export function linear(x: Tensor): Tensor {
  return x;
}
