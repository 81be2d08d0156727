import type { Tensor } from '../../../tensor/tensor.js';
import type { SparseDenseAttrs } from '../../kernels.js';

/**
 * The reference sparse Dense (SparseDenseAttrs): y[i, j] = f32(Σ_p values[p]·x[i, colIdx[p]] +
 * bias[j]) over p in rowPtr[j]..rowPtr[j+1], in float64 as SparseDenseAttrs says; relu maps NaN
 * and negatives to 0.
 */
export function sparseDenseKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: SparseDenseAttrs,
): void {
  const x = inputs[0]!.data as Float32Array;
  const rowPtr = inputs[1]!.data as Int32Array;
  const colIdx = inputs[2]!.data as Int32Array;
  const values = inputs[3]!.data as Float32Array;
  const bias = inputs[4]?.data as Float32Array | undefined;
  const y = outputs[0]!.data as Float32Array;
  const { M, K, N, relu } = attrs;
  for (let i = 0; i < M; i++) {
    const row = i * K;
    for (let j = 0; j < N; j++) {
      const s = [0, 0, 0, 0];
      const b = rowPtr[j]!;
      for (let p = b; p < rowPtr[j + 1]!; p++) s[(p - b) & 3]! += values[p]! * x[row + colIdx[p]!]!;
      let acc = s[0]! + s[1]! + (s[2]! + s[3]!);
      if (bias) acc += bias[j]!;
      const v = Math.fround(acc);
      y[i * N + j] = relu && !(v > 0) ? 0 : v;
    }
  }
}
