import { Tensor } from '../../../tensor/tensor.js';
import type {
  KernelInputs,
  KernelOutputs,
  QuantizedConv2DAttrs,
  QuantizedConv2DMaxPoolAttrs,
} from '../../kernels.js';
import { chunkRows, im2col } from './im2col.js';
import { maxPool2dKernel } from './max-pool2d.js';
import { quantizedMatMulRows } from './quantized-matmul.js';

/**
 * The quantized convolution, the specification of QuantizedConv2DAttrs: im2col rows of x (the
 * padding reads xZeroPoint, a real 0) times the filter viewed as [K, outC], by the integer GEMM
 * of quantizedMatMul, a chunk of output pixels at a time.
 */
export function quantizedConv2dKernel(
  inputs: KernelInputs<'quantizedConv2d'>,
  outputs: KernelOutputs<'quantizedConv2d'>,
  a: QuantizedConv2DAttrs,
): void {
  const x = inputs[0].data as Uint8Array | Int8Array;
  const w = inputs[1].data;
  const bias = inputs[2]?.data;
  const y = outputs[0]!;
  const K = a.filterH * a.filterW * a.inC;
  const N = a.outC;
  const pixels = a.batch * a.outH * a.outW;
  const step = chunkRows(a);
  const col = x instanceof Int8Array ? new Int8Array(step * K) : new Uint8Array(step * K);
  for (let r0 = 0; r0 < pixels; r0 += step) {
    const rows = Math.min(step, pixels - r0);
    im2col(x, a, r0, rows, col, a.xZeroPoint);
    quantizedMatMulRows(col, w, bias, y.data.subarray(r0 * N, (r0 + rows) * N), y.dtype, {
      ...a,
      M: rows,
      K,
      N,
    });
  }
}

/**
 * The fused convolution and max pooling, the specification of QuantizedConv2DMaxPoolAttrs: the
 * convolution into a uint8 buffer, then the pooling of it.
 */
export function quantizedConv2dMaxPoolKernel(
  inputs: KernelInputs<'quantizedConv2dMaxPool'>,
  outputs: KernelOutputs<'quantizedConv2dMaxPool'>,
  a: QuantizedConv2DMaxPoolAttrs,
): void {
  const shape = [a.batch, a.outH, a.outW, a.outC];
  const conv = new Tensor(new Uint8Array(a.batch * a.outH * a.outW * a.outC), shape, 'uint8');
  quantizedConv2dKernel(inputs, [conv], a);
  maxPool2dKernel([conv], outputs, a.pool);
}
