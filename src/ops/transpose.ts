import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { reshape } from './reshape.js';

/**
 * Permutes the axes: y.shape[i] = x.shape[perm[i]]. Without `perm`, reverses them.
 * `transpose(x, [0, 2, 1])`
 */
export function transpose(xLike: TensorLike, perm?: readonly number[]): Tensor {
  const x = toTensor(xLike);
  const rank = x.rank;
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...p].map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  if (p.length !== rank || sorted.some((a, i) => a !== i)) {
    throw new RangeError(
      `transpose: perm [${p.join(', ')}] is not a permutation of the ${rank} axes of shape [${x.shape.join(', ')}]`,
    );
  }
  const normalized = p.map((a) => (a < 0 ? a + rank : a));
  if (normalized.every((a, i) => a === i)) return x;
  const shape = normalized.map((a) => x.shape[a]!);
  // Moving only size-1 axes leaves the elements in place: a reshape (a view, no copy), as for
  // [B, 1, H, d] -> [B, H, 1, d] in every step of cached decoding.
  let inOrder = true;
  let last = -1;
  for (const a of normalized) {
    if (x.shape[a] === 1) continue;
    if (a < last) inOrder = false;
    last = a;
  }
  if (inOrder) return reshape(x, shape);
  const y = emptyTensor(shape, x.dtype);
  runKernel('transpose', [x], [y], { perm: normalized });
  const inverse = new Array<number>(rank);
  for (let i = 0; i < rank; i++) inverse[normalized[i]!] = i;
  return record('transpose', [x], y, (dy) => [transpose(dy, inverse)]);
}
