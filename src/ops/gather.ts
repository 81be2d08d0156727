import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { GatherAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape, normalizeAxis, sizeOf } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { toIndexTensor } from './internal/indices.js';
import { transpose } from './transpose.js';
import { unsortedSegmentSum } from './unsorted-segment-sum.js';

/**
 * Picks slices of x along `axis` by int32 indices: y.shape = x.shape[:axis] + indices.shape +
 * x.shape[axis+1:]. `gather(embeddings, [[0, 2]])`: [10, 4] gives [1, 2, 4].
 * Gradient: a scatter-add of dy into the picked rows (unsortedSegmentSum), never a dense one-hot.
 */
export function gather(xLike: TensorLike, indicesLike: TensorLike, axis = 0): Tensor {
  const x = toTensor(xLike);
  const indices = toIndexTensor('gather', 'indices', indicesLike);
  if (x.rank === 0) throw new RangeError('gather: cannot gather from a rank-0 tensor');
  const ax = normalizeAxis('gather', axis, x.rank);
  const axisSize = x.shape[ax]!;
  const idx = indices.data;
  for (let j = 0; j < idx.length; j++) {
    const k = idx[j]!;
    if (k < 0 || k >= axisSize)
      throw new RangeError(
        `gather: index ${k} is out of range for axis ${ax} of size ${axisSize} (x shape ${formatShape(x.shape)})`,
      );
  }
  const before = x.shape.slice(0, ax);
  const after = x.shape.slice(ax + 1);
  const y = emptyTensor([...before, ...indices.shape, ...after], x.dtype);
  const attrs: GatherAttrs = { outer: sizeOf(before), axisSize, inner: sizeOf(after) };
  runKernel('gather', [x, indices], [y], attrs);
  return record('gather', [x, indices], y, (dy) => {
    if (ax === 0) return [unsortedSegmentSum(dy, indices, axisSize), null];
    // Move the index axes of dy to the front, scatter-add, then move the result axis back.
    const b = before.length;
    const k = indices.rank;
    const range = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => from + i);
    const front = transpose(dy, [...range(b, b + k), ...range(0, b), ...range(b + k, dy.rank)]);
    const summed = unsortedSegmentSum(front, indices, axisSize);
    return [transpose(summed, [...range(1, b + 1), 0, ...range(b + 1, x.rank)]), null];
  });
}
