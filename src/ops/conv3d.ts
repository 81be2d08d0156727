import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { conv2d } from './conv2d.js';
import { gather } from './gather.js';
import { pair } from './internal/window.js';
import { depthWindows, type Window3DOptions, window3d } from './internal/window3d.js';
import { pad } from './pad.js';
import { reshape } from './reshape.js';
import { slice } from './slice.js';

/** Options of `conv3d`: strides, padding and dilation per depth, height and width. */
export interface Conv3DOptions extends Window3DOptions {
  dilationRate?: number | readonly [number, number, number];
}

/**
 * 3-D convolution (cross-correlation, as Keras) on NDHWC data:
 * y[b, od, oh, ow, co] = Σ_{i, j, k, ci} x[b, od·sd + i·dd - padFront, oh·sh + j·dh - padTop,
 * ow·sw + k·dw - padLeft, ci] · filter[i, j, k, ci, co].
 * x [batch, d, h, w, in], filter [fd, fh, fw, in, out] → [batch, d', h', w', out].
 * Composed of one `conv2d` per filter depth over all output depths at once (so the 2-D kernels,
 * native ones included, do the work, and the gradient follows from theirs).
 * `conv3d(x, w, {strides: 2, padding: 'same'})`
 */
export function conv3d(
  xLike: TensorLike,
  filterLike: TensorLike,
  options: Conv3DOptions = {},
): Tensor {
  const x = toTensor(xLike);
  const filter = toTensor(filterLike);
  checkDType('conv3d', 'x', x.dtype, ['float32']);
  checkDType('conv3d', 'filter', filter.dtype, ['float32']);
  const { strides, padding, dims } = window3d('conv3d', x, options, 1);
  const [batch, depth, h, w, inC] = dims as [number, number, number, number, number];
  if (filter.rank !== 5 || filter.shape[3] !== inC)
    throw new RangeError(
      `conv3d: expected filter [fd, fh, fw, ${inC}, out] for input ${formatShape(x.shape)}, got ${formatShape(filter.shape)}`,
    );
  const [fd, fh, fw, , outC] = filter.shape as [number, number, number, number, number];
  const dilation = pair('conv3d', 'dilationRate', options.dilationRate ?? 1, 3);
  const [sd, sh, sw] = strides;
  const [dd, dh, dw] = dilation as [number, number, number];
  const win = depthWindows('conv3d', depth, (fd - 1) * dd + 1, sd, padding);
  const xp =
    win.padBefore + win.padAfter > 0
      ? pad(x, [
          [0, 0],
          [win.padBefore, win.padAfter],
          [0, 0],
          [0, 0],
          [0, 0],
        ])
      : x;
  let y: Tensor | null = null;
  for (let i = 0; i < fd; i++) {
    const rows = Array.from({ length: win.outDepth }, (_, j) => j * sd + i * dd);
    const planes = reshape(gather(xp, rows, 1), [batch * win.outDepth, h, w, inC]);
    const f = reshape(slice(filter, [i, 0, 0, 0, 0], [1, fh, fw, inC, outC]), [fh, fw, inC, outC]);
    const part = conv2d(planes, f, { strides: [sh, sw], padding, dilationRate: [dh, dw] });
    y = y ? add(y, part) : part;
  }
  const [, oh, ow] = y!.shape as [number, number, number, number];
  return reshape(y!, [batch, win.outDepth, oh, ow, outC]);
}
