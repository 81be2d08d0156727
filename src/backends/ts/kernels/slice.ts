import { stridesOf } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { SliceAttrs } from '../../kernels.js';
import { stridedCopy } from './strided.js';

export function sliceKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: SliceAttrs,
): void {
  const x = inputs[0]!;
  const y = outputs[0]!;
  const strides = stridesOf(x.shape);
  let offset = 0;
  for (let d = 0; d < strides.length; d++) offset += attrs.begin[d]! * strides[d]!;
  stridedCopy(x.data, offset, strides, y.data, y.shape);
}
