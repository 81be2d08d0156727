import { record } from '../autograd/tape.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastTo } from './broadcast-to.js';
import { reduceSpec, runReduce } from './internal/reduce.js';
import { reshape } from './reshape.js';

/**
 * Sum over `axis` (all axes when omitted). `sum(x, 1)`, `sum(x, [0, 2], true)`
 * Gradient: dy broadcast back over the reduced axes.
 */
export function sum(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const spec = reduceSpec('sum', x, axis, keepDims);
  const y = runReduce('sum', spec, spec.x.dtype === 'bool' ? 'int32' : spec.x.dtype);
  return record('sum', [spec.x], y, (dy) => [
    broadcastTo(reshape(dy, spec.keptShape), spec.x.shape),
  ]);
}
