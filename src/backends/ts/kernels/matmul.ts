import type { Tensor } from '../../../tensor/tensor.js';
import { registerKernel } from '../../registry.js';
import { gemm } from './gemm.js';

/**
 * C[b] = op(A[b]) @ op(B[b]) for b < batch, op = transpose when the flag is set.
 * A is [M, K] (or [K, M] when transposeA), B is [K, N] (or [N, K]); a batch stride of 0 reuses one
 * matrix for every batch entry (x @ W).
 */
export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  batch: number;
  M: number;
  N: number;
  K: number;
  aBatchStride: number;
  bBatchStride: number;
}

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

registerKernel('matMul', 'ts', matMulKernel);
