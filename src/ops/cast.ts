import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { DTYPES, type DType, isDType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';

/**
 * The values of x converted to `dtype`: integers truncate toward zero, bool is x != 0 (NaN is
 * true), bfloat16 rounds to nearest even. `cast(greater(x, 0), 'float32')`
 * Differentiable between float dtypes only (the gradient is cast back); other casts cut the graph.
 */
export function cast(xLike: TensorLike, dtype: DType): Tensor {
  const x = toTensor(xLike);
  if (!isDType(dtype)) {
    throw new TypeError(
      `cast: unknown dtype '${String(dtype)}'; expected one of ${Object.keys(DTYPES).join(', ')}`,
    );
  }
  if (dtype === x.dtype) return x;
  const y = emptyTensor(x.shape, dtype);
  runKernel('unary', [x], [y], { op: 'cast' });
  if (!DTYPES[x.dtype].isFloat || !DTYPES[dtype].isFloat) return y;
  return record('cast', [x], y, (dy) => [cast(dy, x.dtype)]);
}
