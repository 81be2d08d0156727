import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { BiasActivationAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { activationCode, type FusedActivation } from './internal/fused-activation.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * The backward of a fused activation from its output y: dz = dy · act'(y) — relu: dy where y > 0;
 * sigmoid: dy·y·(1 − y); tanh: dy·(1 − y²); softmax (last axis): y·(dy − Σ dy·y); linear: dy.
 * dy and y of one shape [..., C]. `activationGrad(dy, y, 'relu')`
 */
export function activationGrad(
  dyLike: TensorLike,
  yLike: TensorLike,
  activation: FusedActivation,
): Tensor {
  const op = 'activationGrad';
  const dy = toTensor(dyLike);
  const y = toTensor(yLike);
  checkDType(op, 'dy', dy.dtype, ['float32']);
  checkDType(op, 'y', y.dtype, ['float32']);
  const code = activationCode(op, activation);
  if (!shapesEqual(dy.shape, y.shape) || y.rank === 0) {
    throw new RangeError(
      `${op}: dy and y must have one shape of rank >= 1, got ${formatShape(dy.shape)} and ${formatShape(y.shape)}`,
    );
  }
  if (activation === 'linear') return dy;
  const channels = y.shape[y.rank - 1]!;
  const dz = emptyTensor(y.shape, 'float32');
  const attrs: BiasActivationAttrs = {
    rows: channels === 0 ? 0 : y.size / channels,
    channels,
    activation: code,
  };
  runKernel(op, [dy, y], [dz], attrs);
  return record(op, [dy, y], dz, (g) => {
    // dz is linear in dy with a symmetric Jacobian, so g goes back through the same map.
    const dDy = dy.requiresGrad ? activationGrad(g, y, activation) : null;
    if (!y.requiresGrad || activation === 'relu') return [dDy, null];
    let dY: Tensor;
    if (activation === 'sigmoid') dY = mul(mul(g, dy), sub(1, mul(y, 2)));
    else if (activation === 'tanh') dY = mul(mul(g, dy), mul(y, -2));
    else {
      const s = sum(mul(dy, y), -1, true);
      dY = sub(mul(g, sub(dy, s)), mul(dy, sum(mul(g, y), -1, true)));
    }
    return [dDy, dY];
  });
}
