import { type TensorLike, toTensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * The same values (storage shared) with no gradient flowing back: d stopGradient(x) / dx = 0.
 * `sub(y, stopGradient(mean(y)))`
 */
export function stopGradient(xLike: TensorLike): Tensor {
  const x = toTensor(xLike);
  return new Tensor(x.data, x.shape, x.dtype);
}
