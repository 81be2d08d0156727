import { runKernel } from '../../backends/index.js';
import type { SoftmaxAttrs } from '../../backends/kernels.js';
import { type TensorLike, toTensor } from '../../tensor/create.js';
import { checkDType } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { emptyTensor, type Tensor } from '../../tensor/tensor.js';
import { REAL } from './elementwise.js';

/**
 * Runs a kernel that works along one axis (softmax, logSoftmax) on the [outer, axis, inner] view of
 * x; the output is float32 of x's shape. Returns the input, the output and the normalised axis.
 */
export function runAlongAxis(
  op: 'softmax' | 'logSoftmax',
  xLike: TensorLike,
  axis: number,
): { x: Tensor; y: Tensor; axis: number } {
  const x = toTensor(xLike);
  checkDType(op, 'x', x.dtype, REAL);
  const a = normalizeAxis(op, axis, x.rank);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < a; i++) outer *= x.shape[i]!;
  for (let i = a + 1; i < x.rank; i++) inner *= x.shape[i]!;
  const y = emptyTensor(x.shape, 'float32');
  runKernel(op, [x], [y], { outer, axis: x.shape[a]!, inner } satisfies SoftmaxAttrs);
  return { x, y, axis: a };
}

/**
 * The fused backward kernel of softmax or logSoftmax ('softmaxBackward', 'logSoftmaxBackward'):
 * dx from dy and the forward output y along `axis`, one pass instead of four ops.
 */
export function runAlongAxisBackward(
  kernel: 'softmaxBackward' | 'logSoftmaxBackward',
  dy: Tensor,
  y: Tensor,
  axis: number,
): Tensor {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= y.shape[i]!;
  for (let i = axis + 1; i < y.rank; i++) inner *= y.shape[i]!;
  const dx = emptyTensor(y.shape, 'float32');
  runKernel(kernel, [dy, y], [dx], { outer, axis: y.shape[axis]!, inner } satisfies SoftmaxAttrs);
  return dx;
}
