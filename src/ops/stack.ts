import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { concat } from './concat.js';
import { expandDims } from './expand-dims.js';

/**
 * Joins same-shaped tensors along a new axis (in [-rank-1, rank]).
 * `stack([a, b], 0)`: two [3] give [2, 3]; `stack([a, b], -1)` gives [3, 2].
 */
export function stack(xsLike: readonly TensorLike[], axis = 0): Tensor {
  if (xsLike.length === 0) throw new RangeError('stack: expected at least one tensor, got none');
  const xs = xsLike.map((x) => toTensor(x));
  const first = xs[0]!;
  if (xs.some((x) => x.rank !== first.rank || x.shape.some((d, i) => d !== first.shape[i])))
    throw new RangeError(
      `stack: all tensors must have the same shape, got ${xs.map((x) => formatShape(x.shape)).join(', ')}`,
    );
  const rank = first.rank + 1;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    throw new RangeError(
      `stack: axis ${axis} is out of range for ${xs.length} tensors of shape ${formatShape(first.shape)}; expected an integer in [${-rank}, ${rank - 1}]`,
    );
  return concat(
    xs.map((x) => expandDims(x, axis)),
    axis,
  );
}
