import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { unaryOp } from './internal/elementwise.js';

/** NOT x elementwise on a bool tensor. `logicalNot(isFinite(x))` */
export function logicalNot(x: TensorLike): Tensor {
  return unaryOp('logicalNot', x, null, { rule: 'bool', accepted: ['bool'] });
}
