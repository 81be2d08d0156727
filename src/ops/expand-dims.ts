import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from './reshape.js';

/**
 * Inserts an axis of size 1 at `axis` (in [-rank-1, rank]; -1 appends).
 * `expandDims(x, 0)`: [3, 4] becomes [1, 3, 4]; `expandDims(x, -1)` gives [3, 4, 1].
 */
export function expandDims(xLike: TensorLike, axis = 0): Tensor {
  const x = toTensor(xLike);
  const rank = x.rank + 1;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank)
    throw new RangeError(
      `expandDims: axis ${axis} is out of range for shape ${formatShape(x.shape)}; expected an integer in [${-rank}, ${rank - 1}]`,
    );
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}
