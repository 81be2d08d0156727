import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { unaryOp } from './internal/elementwise.js';

/** True where x is NaN, as a bool tensor of x's shape. `isNaN(tensor([1, NaN]))` is [false, true] */
// biome-ignore lint/suspicious/noShadowRestrictedNames: the public name follows NumPy and Keras (isnan, isfinite).
export function isNaN(x: TensorLike): Tensor {
  return unaryOp('isNaN', x, null, { rule: 'bool' });
}
