import { record } from '../autograd/tape.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape, type Shape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * The same values in a new shape (storage shared, no copy). One dimension may be -1 and is inferred.
 * `reshape(x, [-1, 784])`
 */
export function reshape(xLike: TensorLike, shape: Shape): Tensor {
  const x = toTensor(xLike);
  const target = [...shape];
  const unknown = target.indexOf(-1);
  if (unknown !== target.lastIndexOf(-1))
    throw new RangeError(`reshape: at most one -1 allowed in ${formatShape(shape)}`);
  for (const d of target) {
    if (!Number.isInteger(d) || d < -1)
      throw new RangeError(`reshape: invalid target shape ${formatShape(shape)}`);
  }
  if (unknown >= 0) {
    const known = sizeOf(target.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) {
      throw new RangeError(
        `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`,
      );
    }
    target[unknown] = x.size / known;
  }
  if (sizeOf(target) !== x.size) {
    throw new RangeError(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`,
    );
  }
  const y = new Tensor(x.data, target, x.dtype);
  return record('reshape', [x], y, (dy) => [reshape(dy, x.shape)]);
}
