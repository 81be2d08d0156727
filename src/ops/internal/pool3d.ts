import { type TensorLike, toTensor } from '../../tensor/create.js';
import { checkDType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { reshape } from '../reshape.js';
import { slice } from '../slice.js';
import { stack } from '../stack.js';
import { type Pool2DOptions, pair } from './window.js';
import { depthWindows, type Window3DOptions, window3d } from './window3d.js';

/** Options of the 3-D pooling ops: window, strides (the window by default) and padding. */
export interface Pool3DOptions extends Window3DOptions {
  poolSize?: number | readonly [number, number, number];
}

/**
 * A 3-D pooling op on NDHWC data as the 2-D op over height and width of every depth plane, then
 * `reduceDepth` over each depth window (the windows are boxes, so this equals pooling the box;
 * 'same' windows cover only the cells inside the input, as TF's).
 */
export function pool3d(
  op: string,
  xLike: TensorLike,
  options: Pool3DOptions,
  pool2d: (x: Tensor, options: Pool2DOptions) => Tensor,
  reduceDepth: (window: Tensor) => Tensor,
): Tensor {
  const x = toTensor(xLike);
  checkDType(op, 'x', x.dtype, ['float32']);
  const size = pair(op, 'poolSize', options.poolSize ?? 2, 3) as [number, number, number];
  const { strides, padding, dims } = window3d(op, x, options, size);
  const [batch, depth, h, w, c] = dims as [number, number, number, number, number];
  const win = depthWindows(op, depth, size[0], strides[0], padding);
  const planes = pool2d(reshape(x, [batch * depth, h, w, c]), {
    poolSize: [size[1], size[2]],
    strides: [strides[1], strides[2]],
    padding,
  });
  const [, oh, ow] = planes.shape as [number, number, number, number];
  const y = reshape(planes, [batch, depth, oh, ow, c]);
  const out: Tensor[] = [];
  for (let j = 0; j < win.outDepth; j++) {
    const start = j * strides[0] - win.padBefore;
    const lo = Math.max(start, 0);
    const hi = Math.min(start + size[0], depth);
    out.push(reduceDepth(slice(y, [0, lo, 0, 0, 0], [batch, hi - lo, oh, ow, c])));
  }
  return stack(out, 1);
}
