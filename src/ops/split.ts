import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape, normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { slice } from './slice.js';

/**
 * Splits x along `axis` into `numOrSizes` equal parts, or into parts of the given sizes (one of
 * which may be -1 for the rest). `split(x, 3, 1)`: [2, 6] gives three [2, 2];
 * `split(x, [1, -1])` on [5] gives [1] and [4].
 */
export function split(
  xLike: TensorLike,
  numOrSizes: number | readonly number[],
  axis = 0,
): Tensor[] {
  const x = toTensor(xLike);
  if (x.rank === 0) throw new RangeError('split: cannot split a rank-0 tensor');
  const ax = normalizeAxis('split', axis, x.rank);
  const dim = x.shape[ax]!;
  const where = `axis ${ax} of shape ${formatShape(x.shape)}`;
  let sizes: number[];
  if (typeof numOrSizes === 'number') {
    if (!Number.isInteger(numOrSizes) || numOrSizes <= 0 || dim % numOrSizes !== 0)
      throw new RangeError(
        `split: cannot split ${where} into ${numOrSizes} equal parts (the number must divide ${dim})`,
      );
    sizes = new Array<number>(numOrSizes).fill(dim / numOrSizes);
  } else {
    sizes = [...numOrSizes];
    const unknown = sizes.indexOf(-1);
    const bad = () =>
      new RangeError(`split: sizes [${numOrSizes.join(', ')}] do not add up to ${where}`);
    if (
      sizes.some((s) => !Number.isInteger(s) || s < -1) ||
      unknown !== sizes.lastIndexOf(-1) ||
      sizes.length === 0
    )
      throw bad();
    const known = sizes.reduce((a, s) => (s === -1 ? a : a + s), 0);
    if (unknown >= 0) {
      if (known > dim) throw bad();
      sizes[unknown] = dim - known;
    } else if (known !== dim) throw bad();
  }
  let start = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === ax ? start : 0));
    start += s;
    return slice(
      x,
      begin,
      x.shape.map((d, i) => (i === ax ? s : d)),
    );
  });
}
