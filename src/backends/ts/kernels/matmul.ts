import type { Tensor } from '../../../tensor/tensor.js';
import { registerKernel } from '../../registry.js';

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

/** One [M, N] product; C is zeroed by the caller. */
function gemm(
  A: Float32Array,
  ao: number,
  B: Float32Array,
  bo: number,
  C: Float32Array,
  co: number,
  M: number,
  N: number,
  K: number,
  tA: boolean,
  tB: boolean,
): void {
  if (!tA && !tB) {
    for (let i = 0; i < M; i++) {
      const c = co + i * N;
      const a = ao + i * K;
      for (let k = 0; k < K; k++) {
        const aik = A[a + k]!;
        if (aik === 0) continue;
        const b = bo + k * N;
        for (let j = 0; j < N; j++) C[c + j]! += aik * B[b + j]!;
      }
    }
  } else if (!tA && tB) {
    for (let i = 0; i < M; i++) {
      const a = ao + i * K;
      for (let j = 0; j < N; j++) {
        const b = bo + j * K;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let k = 0;
        for (; k + 3 < K; k += 4) {
          s0 += A[a + k]! * B[b + k]!;
          s1 += A[a + k + 1]! * B[b + k + 1]!;
          s2 += A[a + k + 2]! * B[b + k + 2]!;
          s3 += A[a + k + 3]! * B[b + k + 3]!;
        }
        for (; k < K; k++) s0 += A[a + k]! * B[b + k]!;
        C[co + i * N + j] = s0 + s1 + s2 + s3;
      }
    }
  } else if (tA && !tB) {
    for (let k = 0; k < K; k++) {
      const b = bo + k * N;
      for (let i = 0; i < M; i++) {
        const aki = A[ao + k * M + i]!;
        if (aki === 0) continue;
        const c = co + i * N;
        for (let j = 0; j < N; j++) C[c + j]! += aki * B[b + j]!;
      }
    }
  } else {
    // op(A) = A^T and op(B) = B^T: C[i, j] = sum_k A[k, i] B[j, k].
    for (let j = 0; j < N; j++) {
      const b = bo + j * K;
      for (let k = 0; k < K; k++) {
        const bjk = B[b + k]!;
        if (bjk === 0) continue;
        const a = ao + k * M;
        for (let i = 0; i < M; i++) C[co + i * N + j]! += A[a + i]! * bjk;
      }
    }
  }
}

export function matMulKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: MatMulAttrs,
): void {
  const A = inputs[0]!.data as Float32Array;
  const B = inputs[1]!.data as Float32Array;
  const C = outputs[0]!.data as Float32Array;
  const { batch, M, N, K } = attrs;
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
