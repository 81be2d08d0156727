import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { TileAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/**
 * Repeats x reps[d] times along each axis d (one rep per axis). `tile([[1, 2]], [2, 3])` is
 * [[1, 2, 1, 2, 1, 2], [1, 2, 1, 2, 1, 2]]. Gradient: the sum of dy over the tiles.
 */
export function tile(xLike: TensorLike, reps: readonly number[]): Tensor {
  const x = toTensor(xLike);
  if (reps.length !== x.rank || reps.some((r) => !Number.isInteger(r) || r < 0))
    throw new RangeError(
      `tile: reps [${reps.join(', ')}] must hold one integer >= 0 per axis of shape ${formatShape(x.shape)}`,
    );
  if (reps.every((r) => r === 1)) return x;
  const y = emptyTensor(
    x.shape.map((d, i) => d * reps[i]!),
    x.dtype,
  );
  runKernel('tile', [x], [y], { reps } satisfies TileAttrs);
  return record('tile', [x], y, (dy) => {
    // dy viewed as [reps0, d0, reps1, d1, ...]: the tiles lie along the even axes.
    const split = x.shape.flatMap((d, i) => [reps[i]!, d]);
    const tileAxes = x.shape.map((_, i) => 2 * i);
    return [reshape(sum(reshape(dy, split), tileAxes), x.shape)];
  });
}
