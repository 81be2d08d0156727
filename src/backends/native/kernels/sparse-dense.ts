import type { Tensor } from '../../../tensor/tensor.js';
import { registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { f32 } from '../check.js';

/** native/sparse/sparse_napi.cc. */
export interface SparseDenseBinding {
  sparseDense(
    x: Float32Array,
    rowPtr: Int32Array,
    colIdx: Int32Array,
    values: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    M: number,
    K: number,
    N: number,
    relu: boolean,
  ): void;
}

const int32 = (kernel: string, name: string, t: Tensor): Int32Array => {
  if (!(t.data instanceof Int32Array))
    throw new TypeError(`${kernel} (native): ${name} must be int32, got ${t.dtype}`);
  return t.data;
};

/**
 * The native sparse Dense (CSR kernel, float64 sums in CSR order, so equal to the TypeScript
 * reference bit for bit); C++ checks every index again.
 */
export function registerSparseDense(binding: NativeBinding): void {
  const native = binding as NativeBinding & SparseDenseBinding;
  // An addon built before this kernel existed: the TypeScript reference runs it.
  if (typeof native.sparseDense !== 'function') return;
  registerKernel('sparseDense', 'native', (inputs, outputs, a) => {
    const [x, rowPtr, colIdx, values, bias] = inputs as [Tensor, Tensor, Tensor, Tensor, Tensor?];
    const k = 'sparseDense';
    native.sparseDense(
      f32(k, 'x', x, a.M * a.K),
      int32(k, 'rowPtr', rowPtr),
      int32(k, 'colIdx', colIdx),
      f32(k, 'values', values, colIdx.size),
      bias ? f32(k, 'bias', bias, a.N) : null,
      f32(k, 'y', outputs[0]!, a.M * a.N),
      a.M,
      a.K,
      a.N,
      a.relu,
    );
  });
}
