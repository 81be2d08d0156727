import { POOL2D_FIELDS, type Pool2DAttrs, packAttrs } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32 } from '../check.js';

/** The native max and average pooling kernels, forward and backward. */
export function registerPool2d(native: NativeBinding): void {
  const pack = (kernel: string, a: Pool2DAttrs): Float64Array => {
    counts(kernel, a, POOL2D_FIELDS);
    if (a.poolH < 1 || a.poolW < 1 || a.strideH < 1 || a.strideW < 1) {
      throw new RangeError(`${kernel} (native): pool sizes and strides must be >= 1`);
    }
    return packAttrs(a, POOL2D_FIELDS);
  };
  // Which of x ([batch, inH, inW, C]) and y ([batch, outH, outW, C]) each array is sized like.
  const define = (
    name: 'maxPool2d' | 'maxPool2dBackward' | 'avgPool2d' | 'avgPool2dBackward',
    layout: ('x' | 'y')[],
    call: (arrays: Float32Array[], attrs: Float64Array) => void,
  ) => {
    const reference = getKernel(name, REFERENCE_BACKEND);
    registerKernel(name, 'native', (inputs, outputs, a) => {
      const all = [...inputs, ...outputs];
      if (!allFloat32(all)) {
        reference(inputs, outputs, a);
        return;
      }
      const attrs = pack(name, a);
      const size = {
        x: a.batch * a.inH * a.inW * a.channels,
        y: a.batch * a.outH * a.outW * a.channels,
      };
      call(
        all.map((t, i) => f32(name, layout[i]!, t, size[layout[i]!])),
        attrs,
      );
    });
  };
  define('maxPool2d', ['x', 'y'], ([x, y], at) => native.maxPool2d(x!, y!, at));
  define('maxPool2dBackward', ['y', 'x', 'y', 'x'], ([dy, x, y, dx], at) =>
    native.maxPool2dBackward(dy!, x!, y!, dx!, at));
  define('avgPool2d', ['x', 'y'], ([x, y], at) => native.avgPool2d(x!, y!, at));
  define('avgPool2dBackward', ['y', 'x'], ([dy, dx], at) => native.avgPool2dBackward(dy!, dx!, at));
}
