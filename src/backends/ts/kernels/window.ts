import type { Conv2DAttrs } from '../../kernels.js';

/** True when a convolution reads each input pixel exactly once, in order: x is its own im2col. */
export function isPointwise(a: Conv2DAttrs): boolean {
  return (
    a.filterH === 1 &&
    a.filterW === 1 &&
    a.strideH === 1 &&
    a.strideW === 1 &&
    a.padTop === 0 &&
    a.padLeft === 0 &&
    a.outH === a.inH &&
    a.outW === a.inW
  );
}
