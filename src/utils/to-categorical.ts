import { type TensorLike, toTensor } from '../tensor/create.js';
import type { TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** One-hot rows of `numClasses` for integer labels; throws on a label outside [0, numClasses). */
export function oneHotArray(
  labels: TypedArray | readonly number[],
  numClasses: number,
): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(
        `toCategorical: label ${c} at index ${i} is not an integer in [0, ${numClasses})`,
      );
    }
    out[i * numClasses + c] = 1;
  }
  return out;
}

/**
 * Keras's `to_categorical`: integer class labels [n] to one-hot float32 [n, numClasses].
 * `toCategorical(yTrain, 10)`
 */
export function toCategorical(y: TensorLike, numClasses?: number): Tensor {
  const labels = toTensor(y);
  let classes = numClasses;
  if (classes === undefined) {
    classes = 0;
    for (const v of labels.data) classes = Math.max(classes, v + 1);
  }
  const shape =
    labels.shape.length > 0 && labels.shape[labels.shape.length - 1] === 1
      ? labels.shape.slice(0, -1)
      : labels.shape;
  return new Tensor(oneHotArray(labels.data, classes), [...shape, classes], 'float32');
}
