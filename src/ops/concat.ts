import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { ConcatAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape, normalizeAxis } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { slice } from './slice.js';

/**
 * Joins tensors along an existing axis; all other dims and the dtype must agree.
 * `concat([a, b], -1)`: [2, 3] and [2, 4] give [2, 7]. Gradient: dy sliced back into pieces.
 */
export function concat(xsLike: readonly TensorLike[], axis = 0): Tensor {
  if (xsLike.length === 0) throw new RangeError('concat: expected at least one tensor, got none');
  const xs = xsLike.map((x) => toTensor(x));
  const first = xs[0]!;
  const shapes = () => xs.map((x) => formatShape(x.shape)).join(', ');
  if (first.rank === 0)
    throw new RangeError(
      `concat: cannot concatenate rank-0 tensors (shapes ${shapes()}); use stack`,
    );
  const ax = normalizeAxis('concat', axis, first.rank);
  let total = 0;
  for (const x of xs) {
    if (x.dtype !== first.dtype)
      throw new TypeError(
        `concat: all tensors must have the same dtype, got ${xs.map((t) => t.dtype).join(', ')}`,
      );
    if (x.rank !== first.rank || x.shape.some((d, i) => i !== ax && d !== first.shape[i]))
      throw new RangeError(
        `concat: shapes ${shapes()} must have equal rank and agree on every axis but ${ax}`,
      );
    total += x.shape[ax]!;
  }
  if (xs.length === 1) return first;
  const y = emptyTensor(
    first.shape.map((d, i) => (i === ax ? total : d)),
    first.dtype,
  );
  runKernel('concat', xs, [y], { axis: ax } satisfies ConcatAttrs);
  return record('concat', xs, y, (dy) => {
    let start = 0;
    return xs.map((x) => {
      const begin = dy.shape.map((_, i) => (i === ax ? start : 0));
      start += x.shape[ax]!;
      return slice(dy, begin, x.shape);
    });
  });
}
