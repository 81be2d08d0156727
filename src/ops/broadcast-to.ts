import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { broadcastShapes, formatShape, type Shape, shapesEqual } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { unbroadcast } from './internal/unbroadcast.js';

/** Repeats x along its size-1 (or missing leading) axes to `shape`, NumPy style. `broadcastTo(b, [32, 10])` */
export function broadcastTo(xLike: TensorLike, shape: Shape): Tensor {
  const x = toTensor(xLike);
  if (shapesEqual(x.shape, shape)) return x;
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!shapesEqual(target, shape)) {
    throw new RangeError(
      `broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`,
    );
  }
  const y = emptyTensor(shape, x.dtype);
  runKernel('broadcastTo', [x], [y], {});
  return record('broadcastTo', [x], y, (dy) => [unbroadcast(dy, x.shape)]);
}
