import type { Tensor } from '../../../tensor/tensor.js';
import type { MatMulAttrs } from '../../kernels.js';
import { gemm } from './gemm.js';

/** Runs the packed GEMM once per batch entry (it accumulates, so the output is zeroed first). */
export function matMulKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: MatMulAttrs,
): void {
  const A = inputs[0]!.data as Float32Array;
  const B = inputs[1]!.data as Float32Array;
  const C = outputs[0]!.data as Float32Array;
  const { batch, M, N, K } = attrs;
  C.fill(0, 0, batch * M * N);
  for (let b = 0; b < batch; b++) {
    gemm(
      A,
      b * attrs.aBatchStride,
      B,
      b * attrs.bBatchStride,
      C,
      b * M * N,
      M,
      N,
      K,
      attrs.transposeA,
      attrs.transposeB,
    );
  }
}
