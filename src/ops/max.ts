import { record } from '../autograd/tape.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { extremumGrad } from './internal/extremum-grad.js';
import { reduceSpec, runReduce } from './internal/reduce.js';

/**
 * Largest value over `axis` (all axes when omitted); NaN wins; an empty axis throws.
 * `max(x, -1, true)` Gradient: dy to the maximal positions, split evenly among ties.
 */
export function max(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const spec = reduceSpec('max', x, axis, keepDims);
  const y = runReduce('max', spec, spec.x.dtype);
  return record('max', [spec.x], y, (dy) => [extremumGrad(spec, y, dy)]);
}
