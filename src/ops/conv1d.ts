import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { conv2d } from './conv2d.js';
import { type Padding2D, pair } from './internal/window.js';
import { reshape } from './reshape.js';

/** Options of `conv1d`: strides, padding and dilation. */
export interface Conv1DOptions {
  strides?: number | readonly [number];
  /** 'causal' left-pads by (kernelSize - 1) * dilationRate, so y[t] sees only x[.. t]. */
  padding?: 'valid' | 'same' | 'causal';
  dilationRate?: number | readonly [number];
}

/**
 * 1-D convolution over steps: x [batch, steps, inC], filter [kernelSize, inC, outC]
 * -> [batch, outSteps, outC]; runs as conv2d on [batch, 1, steps, inC].
 * `conv1d(x, w, { padding: 'causal', dilationRate: 2 })`
 */
export function conv1d(
  xLike: TensorLike,
  filterLike: TensorLike,
  options: Conv1DOptions = {},
): Tensor {
  const x = toTensor(xLike);
  const filter = toTensor(filterLike);
  checkDType('conv1d', 'x', x.dtype, ['float32']);
  checkDType('conv1d', 'filter', filter.dtype, ['float32']);
  if (x.rank !== 3) {
    throw new RangeError(
      `conv1d: expected input rank 3 [batch, steps, channels], got ${formatShape(x.shape)}`,
    );
  }
  if (filter.rank !== 3) {
    throw new RangeError(
      `conv1d: expected filter rank 3 [kernelSize, inChannels, outChannels], got ${formatShape(filter.shape)}`,
    );
  }
  const [batch, steps, inC] = x.shape as [number, number, number];
  const [k, fInC, outC] = filter.shape as [number, number, number];
  if (inC !== fInC) {
    throw new RangeError(
      `conv1d: input has ${inC} channels but filter expects ${fInC} (${formatShape(filter.shape)})`,
    );
  }
  const [stride] = pair('conv1d', 'strides', options.strides ?? 1, 1);
  const [dilation] = pair('conv1d', 'dilationRate', options.dilationRate ?? 1, 1);
  const padding = options.padding ?? 'valid';
  let padding2d: Padding2D;
  if (padding === 'causal')
    padding2d = [
      [0, 0],
      [(k - 1) * dilation!, 0],
    ];
  else if (padding === 'valid' || padding === 'same') padding2d = padding;
  else {
    throw new RangeError(
      `conv1d: padding must be 'valid', 'same' or 'causal', got ${JSON.stringify(padding)}`,
    );
  }
  const extent = (k - 1) * dilation! + 1;
  if (padding === 'valid' && steps < extent) {
    throw new RangeError(
      `conv1d: the kernel (${extent} steps, dilation included) is longer than the input (${steps} steps) with 'valid' padding`,
    );
  }
  const y = conv2d(reshape(x, [batch, 1, steps, inC]), reshape(filter, [1, k, inC, outC]), {
    strides: [1, stride!],
    padding: padding2d,
    dilationRate: [1, dilation!],
  });
  return reshape(y, [batch, y.shape[2]!, outC]);
}
