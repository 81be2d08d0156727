import { stridesOf } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TileAttrs } from '../../kernels.js';
import { mappedCopy } from './strided.js';

export function tileKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  _attrs: TileAttrs,
): void {
  const x = inputs[0]!;
  const y = outputs[0]!;
  const maps = y.shape.map((n, d) => {
    const m = new Int32Array(n);
    const size = x.shape[d]!;
    for (let i = 0; i < n; i++) m[i] = i % size;
    return m;
  });
  mappedCopy(x.data, maps, stridesOf(x.shape), y.data, y.shape, 0);
}
