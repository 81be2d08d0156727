import { stridesOf } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { ReverseAttrs } from '../../kernels.js';
import { stridedCopy } from './strided.js';

export function reverseKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: ReverseAttrs,
): void {
  const x = inputs[0]!;
  const strides = stridesOf(x.shape);
  let offset = 0;
  // A reversed axis starts at its last element and walks backwards.
  for (const a of attrs.axes) {
    offset += (x.shape[a]! - 1) * strides[a]!;
    strides[a] = -strides[a]!;
  }
  stridedCopy(x.data, offset, strides, outputs[0]!.data, x.shape);
}
