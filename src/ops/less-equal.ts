import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a <= b elementwise, broadcasting, as a bool tensor (NaN compares false). `lessEqual(x, 1)` */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('lessEqual', a, b, null, { rule: 'bool' });
}
