import { recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { QuantizedLstmAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor, zeros } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import {
  activationCode,
  expectShape,
  initialState,
  type RnnActivation,
  stepMask,
} from './internal/recurrent.js';
import type { LstmResult } from './lstm.js';
import { reshape } from './reshape.js';
import { slice } from './slice.js';

/** Options of `quantizedLstm`: initial states, padding mask and the label used in error messages. */
export interface QuantizedLstmOptions {
  /** [batch, units]; zeros by default. */
  initialH?: TensorLike | null;
  initialC?: TensorLike | null;
  /** Shape [batch, steps]; 0 (or false) marks a padded step, which keeps the previous state and outputs 0. */
  mask?: TensorLike | null;
  goBackwards?: boolean;
  activation?: RnnActivation;
  recurrentActivation?: RnnActivation;
  /** Names the caller in errors (default 'quantizedLstm'). */
  label?: string;
}

/**
 * An LSTM's time loop on int8 weights with dynamically quantized activations (PyTorch's dynamic
 * quantized LSTM; QuantizedLstmAttrs gives the exact rule): x [batch, steps, in] is quantized to
 * uint8 once and projected by one integer GEMM, each step quantizes each batch row of h over
 * its own range and multiplies it by the int8 recurrent kernel, and the gates are float32 as `lstm`'s. kernel int8 [in, 4u] ≈
 * kernelScale[j] · kernel[:, j], recurrentKernel int8 [u, 4u] with recurrentScale [4u], bias
 * float32 [4u] or null. Inference only: not differentiable.
 * `const { lastH } = quantizedLstm(x, kq, ks, rkq, rks, bias)`
 */
export function quantizedLstm(
  xLike: TensorLike,
  kernel: Tensor,
  kernelScale: Tensor,
  recurrentKernel: Tensor,
  recurrentScale: Tensor,
  biasLike: TensorLike | null = null,
  options: QuantizedLstmOptions = {},
): LstmResult {
  const op = options.label ?? 'quantizedLstm';
  const x = toTensor(xLike);
  checkDType(op, 'x', x.dtype, ['float32']);
  checkDType(op, 'kernel', kernel.dtype, ['int8']);
  checkDType(op, 'recurrentKernel', recurrentKernel.dtype, ['int8']);
  checkDType(op, 'kernelScale', kernelScale.dtype, ['float32']);
  checkDType(op, 'recurrentScale', recurrentScale.dtype, ['float32']);
  if (x.rank !== 3)
    throw new RangeError(
      `${op}: expected x rank 3 [batch, steps, features], got ${formatShape(x.shape)}`,
    );
  const [batch, steps, inDim] = x.shape as [number, number, number];
  const rk = recurrentKernel;
  if (rk.rank !== 2 || rk.shape[1] !== 4 * rk.shape[0]!)
    throw new RangeError(
      `${op}: expected recurrentKernel [units, 4·units], got ${formatShape(rk.shape)}`,
    );
  const units = rk.shape[0]!;
  const G = 4 * units;
  expectShape(op, 'kernel', kernel, [inDim, G], `for x ${formatShape(x.shape)}`);
  expectShape(op, 'kernelScale', kernelScale, [G], `for ${units} units`);
  expectShape(op, 'recurrentScale', recurrentScale, [G], `for ${units} units`);
  const bias = biasLike === null || biasLike === undefined ? zeros([G]) : toTensor(biasLike);
  checkDType(op, 'bias', bias.dtype, ['float32']);
  expectShape(op, 'bias', bias, [G], `for ${units} units`);
  const h0 = initialState(op, 'initialH', options.initialH, batch, units);
  const c0 = initialState(op, 'initialC', options.initialC, batch, units);
  const mask = stepMask(op, options.mask, x);
  const attrs: QuantizedLstmAttrs = {
    batch,
    steps,
    inDim,
    units,
    goBackwards: options.goBackwards ?? false,
    activation: activationCode(op, 'activation', options.activation, 'tanh'),
    recurrentActivation: activationCode(
      op,
      'recurrentActivation',
      options.recurrentActivation,
      'sigmoid',
    ),
  };
  const y = emptyTensor([batch, steps + 2, units], 'float32');
  const params = emptyTensor([2], 'float32');
  const inputs = [x, kernel, kernelScale, rk, recurrentScale, bias, h0, c0, mask] as const;
  runKernel('quantizedLstm', inputs, [y, params], attrs);
  if (Number.isNaN(params.data[0]))
    throw new RangeError(`${op}: the input holds NaN or infinite values; it cannot be quantized`);
  const packed = recordNonDifferentiable(op, [x, h0, c0], y);
  const last = (i: number) =>
    reshape(slice(packed, [0, steps + i, 0], [batch, 1, units]), [batch, units]);
  return {
    sequences: slice(packed, [0, 0, 0], [batch, steps, units]),
    lastH: last(0),
    lastC: last(1),
  };
}
