import type { Tensor } from '../../../tensor/tensor.js';
import type { Conv2DAttrs } from '../../kernels.js';
import { gemm } from './gemm.js';
import { chunkRows, colBuffer, im2col } from './im2col.js';
import { isPointwise } from './window.js';

/**
 * y [batch, outH, outW, outC] = conv(x [batch, inH, inW, inC], filter [fh, fw, inC, outC]) as
 * im2col + GEMM: the input is lowered chunk by chunk to [pixels, fh*fw*inC] and multiplied by the
 * filter seen as [fh*fw*inC, outC]; the product lands in y's NHWC rows directly.
 */
export function conv2dKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Conv2DAttrs,
): void {
  const x = inputs[0]!.data as Float32Array;
  const filter = inputs[1]!.data as Float32Array;
  const y = outputs[0]!.data as Float32Array;
  const K = a.filterH * a.filterW * a.inC;
  const M = a.batch * a.outH * a.outW;
  if (isPointwise(a)) {
    gemm(x, 0, filter, 0, y, 0, M, a.outC, K, false, false);
    return;
  }
  const chunk = chunkRows(a);
  const col = colBuffer(Math.min(chunk, M) * K);
  for (let r0 = 0; r0 < M; r0 += chunk) {
    const rows = Math.min(chunk, M - r0);
    im2col(x, a, r0, rows, col);
    gemm(col, 0, filter, 0, y, r0 * a.outC, rows, a.outC, K, false, false);
  }
}
