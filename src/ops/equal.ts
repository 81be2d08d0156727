import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';

/** a == b elementwise, broadcasting, as a bool tensor (NaN equals nothing). `equal(labels, preds)` */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('equal', a, b, null, { rule: 'bool' });
}
