import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a < b elementwise, broadcasting, as a bool tensor (NaN compares false). `less(x, 0)` */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('less', a, b, null, { rule: 'bool' });
}
