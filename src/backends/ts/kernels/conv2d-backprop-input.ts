import type { Tensor } from '../../../tensor/tensor.js';
import type { Conv2DAttrs } from '../../kernels.js';
import { gemm } from './gemm.js';
import { chunkRows, col2im, colBuffer } from './im2col.js';
import { isPointwise } from './window.js';

/**
 * dx [batch, inH, inW, inC] from dy [batch, outH, outW, outC] and filter [fh, fw, inC, outC]:
 * each chunk of dy rows times filterᵀ gives the gradient of the lowered input, which col2im adds
 * back onto the pixels it came from. dx arrives zero-filled.
 */
export function conv2dBackpropInputKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Conv2DAttrs,
): void {
  const dy = inputs[0]!.data as Float32Array;
  const filter = inputs[1]!.data as Float32Array;
  const dx = outputs[0]!.data as Float32Array;
  const K = a.filterH * a.filterW * a.inC;
  const M = a.batch * a.outH * a.outW;
  if (isPointwise(a)) {
    gemm(dy, 0, filter, 0, dx, 0, M, K, a.outC, false, true);
    return;
  }
  const chunk = chunkRows(a);
  const col = colBuffer(Math.min(chunk, M) * K);
  for (let r0 = 0; r0 < M; r0 += chunk) {
    const rows = Math.min(chunk, M - r0);
    col.fill(0, 0, rows * K);
    gemm(dy, r0 * a.outC, filter, 0, col, 0, rows, K, a.outC, false, true);
    col2im(col, a, r0, rows, dx);
  }
}
