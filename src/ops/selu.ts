import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { elu } from './elu.js';
import { REAL } from './internal/elementwise.js';
import { mul } from './mul.js';

/** The self-normalizing ELU constants of Klambauer et al. (2017), as in Keras. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** scale · elu(x, alpha) with scale ≈ 1.0507, alpha ≈ 1.6733, float32. `selu(x)` */
export function selu(xLike: TensorLike): Tensor {
  const x = toTensor(xLike);
  checkDType('selu', 'x', x.dtype, REAL);
  return mul(elu(x, SELU_ALPHA), SELU_SCALE);
}
