import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a != b elementwise, broadcasting, as a bool tensor (NaN differs from everything). `notEqual(x, 0)` */
export function notEqual(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('notEqual', a, b, null, { rule: 'bool' });
}
