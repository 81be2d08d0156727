import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a >= b elementwise, broadcasting, as a bool tensor (NaN compares false). `greaterEqual(x, 0)` */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('greaterEqual', a, b, null, { rule: 'bool' });
}
