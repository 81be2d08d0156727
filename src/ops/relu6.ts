import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { greater } from './greater.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { less } from './less.js';
import { logicalAnd } from './logical-and.js';
import { where } from './where.js';

/** min(max(x, 0), 6) elementwise. `relu6(tensor([-1, 3, 8]))` is [0, 3, 6]. Gradient: dy where 0 < x < 6. */
export function relu6(x: TensorLike): Tensor {
  return unaryOp('relu6', x, (dy, x) => where(logicalAnd(greater(x, 0), less(x, 6)), dy, 0), {
    accepted: REAL,
  });
}
