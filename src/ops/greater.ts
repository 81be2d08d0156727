import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a > b elementwise, broadcasting, as a bool tensor (NaN compares false). `greater(x, 0.5)` */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('greater', a, b, null, { rule: 'bool' });
}
