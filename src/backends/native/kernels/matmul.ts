import { registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { counts, f32 } from '../check.js';

/** The native 'matMul': packed, cache-blocked, multithreaded GEMM with the TS kernel's attrs. */
export function registerMatMul(native: NativeBinding): void {
  registerKernel('matMul', 'native', (inputs, outputs, attrs) => {
    counts('matMul', attrs, ['batch', 'M', 'N', 'K', 'aBatchStride', 'bBatchStride']);
    const { batch, M, N, K, aBatchStride, bBatchStride } = attrs;
    // The op passes a batch stride of 0 (one shared matrix) or the matrix size.
    const aLen = aBatchStride === 0 ? M * K : batch * M * K;
    const bLen = bBatchStride === 0 ? K * N : batch * K * N;
    if (
      (aBatchStride !== 0 && aBatchStride !== M * K) ||
      (bBatchStride !== 0 && bBatchStride !== K * N)
    ) {
      throw new RangeError('matMul (native): batch strides must be 0 or the matrix size');
    }
    const a = f32('matMul', 'a', inputs[0]!, aLen);
    const b = f32('matMul', 'b', inputs[1]!, bLen);
    const c = f32('matMul', 'output', outputs[0]!, batch * M * N);
    // Overwrites the output (which the op leaves uninitialized).
    native.matMul(
      a,
      b,
      c,
      batch,
      M,
      N,
      K,
      aBatchStride,
      bBatchStride,
      !!attrs.transposeA,
      !!attrs.transposeB,
      false,
    );
  });
}
