import type { Tensor } from '../../tensor/tensor.js';
import { div } from '../div.js';
import { equal } from '../equal.js';
import { reshape } from '../reshape.js';
import { sum } from '../sum.js';
import { where } from '../where.js';
import type { ReduceSpec } from './reduce.js';

/**
 * The gradient of a max or min reduction: dy goes to the positions that equal the extremum, split
 * evenly among ties (as TensorFlow does). A NaN extremum matches nothing and its gradient is NaN.
 */
export function extremumGrad(spec: ReduceSpec, y: Tensor, dy: Tensor): Tensor {
  const hit = equal(spec.x, reshape(y, spec.keptShape));
  const ties = sum(hit, spec.axes, true);
  return div(where(hit, reshape(dy, spec.keptShape), 0), ties);
}
