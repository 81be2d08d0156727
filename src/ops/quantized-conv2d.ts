import { recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { QuantizedConv2DAttrs } from '../backends/kernels.js';
import { checkDType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { type QuantizedOutputOptions, quantizedOutput } from './internal/quantized-output.js';
import { type Conv2DOptions, conv2dAttrs, windowOutShape } from './internal/window.js';

/** Options of `quantizedConv2d`: `conv2d`'s plus the output's requantization. */
export interface QuantizedConv2DOptions extends Conv2DOptions, QuantizedOutputOptions {}

const op = 'quantizedConv2d';

/**
 * Integer 2-D convolution on NHWC data: x [batch, h, w, inC] (uint8 or int8, zero point
 * xZeroPoint, which the padding reads) with filter [fh, fw, inC, outC] (int8, symmetric) into
 * wrapping int32 accumulators acc = bias + Σ (x - xZeroPoint) · filter, then requantized to
 * uint8/int8 (with relu as a clamp at the zero point), dequantized to float32, or returned as
 * int32, exactly as `quantizedMatMul` on the im2col rows (QuantizedConv2DAttrs). Not differentiable.
 * `quantizedConv2d(xq, wq, { xZeroPoint: 3, bias, outputScale: s, outputZeroPoint: 0, activation: 'relu' })`
 */
export function quantizedConv2d(
  x: Tensor,
  filter: Tensor,
  options: QuantizedConv2DOptions = {},
): Tensor {
  checkDType(op, 'x', x.dtype, ['uint8', 'int8']);
  checkDType(op, 'filter', filter.dtype, ['int8']);
  const geometry = conv2dAttrs(op, x.shape, filter.shape, options);
  const out = quantizedOutput(op, x.dtype, geometry.outC, options);
  const attrs: QuantizedConv2DAttrs = { ...geometry, ...out.attrs };
  const y = emptyTensor(windowOutShape(attrs), out.dtype);
  const inputs: [Tensor, Tensor, ...Tensor[]] = options.bias
    ? [x, filter, options.bias]
    : [x, filter];
  runKernel(op, inputs, [y], attrs);
  return recordNonDifferentiable(op, inputs, y);
}
