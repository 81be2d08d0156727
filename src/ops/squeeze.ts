import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape, normalizeAxes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from './reshape.js';

/**
 * Removes size-1 axes: the given ones (each must be 1), or all of them when `axis` is omitted.
 * `squeeze(x)`: [1, 3, 1] becomes [3]; `squeeze(x, -1)` gives [1, 3].
 */
export function squeeze(xLike: TensorLike, axis?: number | readonly number[]): Tensor {
  const x = toTensor(xLike);
  const axes =
    axis === undefined
      ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : normalizeAxes('squeeze', axis, x.rank);
  for (const a of axes) {
    if (x.shape[a] !== 1)
      throw new RangeError(
        `squeeze: cannot squeeze axis ${a} of shape ${formatShape(x.shape)}: its size is ${x.shape[a]}, not 1`,
      );
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !axes.includes(i)),
  );
}
