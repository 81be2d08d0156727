import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { ReverseAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxes } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';

/**
 * Reverses the order of elements along `axes` (all axes when omitted).
 * `reverse([[1, 2], [3, 4]], -1)` is [[2, 1], [4, 3]]. Gradient: dy reversed the same way.
 */
export function reverse(xLike: TensorLike, axes?: number | readonly number[]): Tensor {
  const x = toTensor(xLike);
  // Axes of size 0 or 1 read the same both ways.
  const active = normalizeAxes('reverse', axes, x.rank).filter((a) => x.shape[a]! > 1);
  if (active.length === 0) return x;
  const y = emptyTensor(x.shape, x.dtype);
  runKernel('reverse', [x], [y], { axes: active } satisfies ReverseAttrs);
  return record('reverse', [x], y, (dy) => [reverse(dy, active)]);
}
