import type { Tensor } from '../../../tensor/tensor.js';
import type { OneHotAttrs } from '../../kernels.js';

export function oneHotKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: OneHotAttrs,
): void {
  const idx = inputs[0]!.data;
  const yd = outputs[0]!.data;
  const { depth, onValue, offValue } = attrs;
  if (offValue !== 0) yd.fill(offValue);
  for (let j = 0; j < idx.length; j++) {
    const k = idx[j]!;
    if (k >= 0 && k < depth) yd[j * depth + k] = onValue;
  }
}
