import type { Tensor } from '../../../tensor/tensor.js';
import type { Conv2DAttrs } from '../../kernels.js';
import { gemm } from './gemm.js';
import { chunkRows, colBuffer, im2col } from './im2col.js';
import { isPointwise } from './window.js';

/**
 * dFilter [fh, fw, inC, outC] from x [batch, inH, inW, inC] and dy [batch, outH, outW, outC]:
 * the sum over chunks of colᵀ @ dy, col being the lowered input. dFilter arrives zero-filled.
 */
export function conv2dBackpropFilterKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Conv2DAttrs,
): void {
  const x = inputs[0]!.data as Float32Array;
  const dy = inputs[1]!.data as Float32Array;
  const dw = outputs[0]!.data as Float32Array;
  const K = a.filterH * a.filterW * a.inC;
  const M = a.batch * a.outH * a.outW;
  if (isPointwise(a)) {
    gemm(x, 0, dy, 0, dw, 0, K, a.outC, M, true, false);
    return;
  }
  const chunk = chunkRows(a);
  const col = colBuffer(Math.min(chunk, M) * K);
  for (let r0 = 0; r0 < M; r0 += chunk) {
    const rows = Math.min(chunk, M - r0);
    im2col(x, a, r0, rows, col);
    gemm(col, 0, dy, r0 * a.outC, dw, 0, K, a.outC, rows, true, false);
  }
}
