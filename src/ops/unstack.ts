import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from './reshape.js';
import { split } from './split.js';

/**
 * Splits x along `axis` into x.shape[axis] tensors with that axis removed.
 * `unstack(x, 1)`: [2, 3] gives three tensors of shape [2].
 */
export function unstack(xLike: TensorLike, axis = 0): Tensor[] {
  const x = toTensor(xLike);
  if (x.rank === 0) throw new RangeError('unstack: cannot unstack a rank-0 tensor');
  const ax = normalizeAxis('unstack', axis, x.rank);
  const shape = x.shape.filter((_, i) => i !== ax);
  if (x.shape[ax] === 0) return [];
  return split(x, x.shape[ax]!, ax).map((part) => reshape(part, shape));
}
