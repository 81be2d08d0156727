import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a OR b elementwise on bool tensors, broadcasting. `logicalOr(isNaN(x), less(x, 0))` */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('logicalOr', a, b, null, { rule: 'bool', accepted: ['bool'] });
}
