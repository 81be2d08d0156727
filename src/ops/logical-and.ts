import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a AND b elementwise on bool tensors, broadcasting. `logicalAnd(greater(x, 0), less(x, 1))` */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('logicalAnd', a, b, null, { rule: 'bool', accepted: ['bool'] });
}
