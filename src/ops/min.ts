import { record } from '../autograd/tape.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { extremumGrad } from './internal/extremum-grad.js';
import { reduceSpec, runReduce } from './internal/reduce.js';

/**
 * Smallest value over `axis` (all axes when omitted); NaN wins; an empty axis throws.
 * `min(x, 0)` Gradient: dy to the minimal positions, split evenly among ties.
 */
export function min(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const spec = reduceSpec('min', x, axis, keepDims);
  const y = runReduce('min', spec, spec.x.dtype);
  return record('min', [spec.x], y, (dy) => [extremumGrad(spec, y, dy)]);
}
