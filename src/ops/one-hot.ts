import { runKernel } from '../backends/index.js';
import type { OneHotAttrs } from '../backends/kernels.js';
import type { TensorLike } from '../tensor/create.js';
import { checkDType, type DType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { toIndexTensor } from './internal/indices.js';

/**
 * One-hot encoding: int32 indices [...] -> [..., depth] with `onValue` at the index and `offValue`
 * elsewhere. As in TensorFlow, an index outside [0, depth) (e.g. -1 for padding) gives an all-off row.
 * `oneHot([0, 2], 3)` is [[1, 0, 0], [0, 0, 1]]. Not differentiable (the indices are integers).
 */
export function oneHot(
  indicesLike: TensorLike,
  depth: number,
  onValue = 1,
  offValue = 0,
  dtype: DType = 'float32',
): Tensor {
  const indices = toIndexTensor('oneHot', 'indices', indicesLike);
  checkDType('oneHot', 'dtype', dtype, ['float32', 'int32']);
  if (!Number.isInteger(depth) || depth < 0)
    throw new RangeError(`oneHot: depth must be an integer >= 0, got ${depth}`);
  const y = emptyTensor([...indices.shape, depth], dtype);
  runKernel('oneHot', [indices], [y], { depth, onValue, offValue } satisfies OneHotAttrs);
  return y;
}
