import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { unaryOp } from './internal/elementwise.js';

/** True where x is neither NaN nor ±Infinity, as a bool tensor. `isFinite(tensor([1, Infinity]))` */
// biome-ignore lint/suspicious/noShadowRestrictedNames: the public name follows NumPy and Keras (isnan, isfinite).
export function isFinite(x: TensorLike): Tensor {
  return unaryOp('isFinite', x, null, { rule: 'bool' });
}
