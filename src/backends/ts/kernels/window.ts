/**
 * The geometry of the sliding-window kernels (convolution and pooling), computed once by the op
 * so that every backend reads the same numbers. Layout is NHWC: x [batch, inH, inW, channels].
 * Output cell (oh, ow) reads input rows oh*strideH - padTop + i*dilationH for i < filterH (same
 * for columns); cells outside the input are padding.
 */
export interface Conv2DAttrs {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

/** Pooling windows: like Conv2DAttrs with one channel count, no filter and no dilation. */
export interface Pool2DAttrs {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  poolH: number;
  poolW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

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
