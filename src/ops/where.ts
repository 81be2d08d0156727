import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType, promoteTypes } from '../tensor/dtype.js';
import { broadcastShapes, formatShape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { NUMERIC, toOperands } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';

/**
 * a where cond is true, else b; all three broadcast together. `where(greater(x, 0), x, 0)`
 * Gradient: dy masked by cond goes to a, dy masked by NOT cond goes to b (summed over broadcast axes).
 */
export function where(condLike: TensorLike, aLike: TensorLike, bLike: TensorLike): Tensor {
  const cond = toTensor(condLike);
  checkDType('where', 'cond', cond.dtype, ['bool']);
  const [a, b] = toOperands(aLike, bLike);
  checkDType('where', 'a', a.dtype, NUMERIC);
  checkDType('where', 'b', b.dtype, NUMERIC);
  let shape: number[];
  try {
    shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  } catch {
    throw new RangeError(
      `where: shapes cond ${formatShape(cond.shape)}, a ${formatShape(a.shape)} and b ${formatShape(b.shape)} cannot be broadcast together`,
    );
  }
  const y = emptyTensor(shape, a.dtype === b.dtype ? a.dtype : promoteTypes(a.dtype, b.dtype));
  runKernel('where', [cond, a, b], [y], {});
  return record('where', [cond, a, b], y, (dy) => [
    null,
    unbroadcast(where(cond, dy, 0), a.shape),
    unbroadcast(where(cond, 0, dy), b.shape),
  ]);
}
