import type { Tensor } from '../../../tensor/tensor.js';
import type { SparseDenseAttrs } from '../../kernels.js';

/**
 * The reference sparse Dense (SparseDenseAttrs): y[i, j] = f32(Σ_p values[p]·x[i, colIdx[p]] +
 * bias[j]) over p in rowPtr[j]..rowPtr[j+1], in float32 in the order SparseDenseAttrs fixes; relu maps NaN
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
  // Float32 lanes: each store rounds the sum to float32.
  const lane = new Float32Array(8);
  for (let i = 0; i < M; i++) {
    const row = i * K;
    for (let j = 0; j < N; j++) {
      lane.fill(0);
      const b = rowPtr[j]!;
      for (let p = b; p < rowPtr[j + 1]!; p++)
        lane[(p - b) & 7] = lane[(p - b) & 7]! + Math.fround(values[p]! * x[row + colIdx[p]!]!);
      const t0 = Math.fround(lane[0]! + lane[4]!);
      const t1 = Math.fround(lane[1]! + lane[5]!);
      const t2 = Math.fround(lane[2]! + lane[6]!);
      const t3 = Math.fround(lane[3]! + lane[7]!);
      let v = Math.fround(Math.fround(t0 + t2) + Math.fround(t1 + t3));
      if (bias) v = Math.fround(v + bias[j]!);
      y[i * N + j] = relu && !(v > 0) ? 0 : v;
    }
  }
}
