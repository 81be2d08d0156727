import { CONV2D_FIELDS, type Conv2DAttrs, packAttrs } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32 } from '../check.js';

/** Packed attrs by attrs object: a replayed inference plan passes the same object every call. */
const packed = new WeakMap<Conv2DAttrs, Float64Array>();

/** The attrs as the Float64Array the addon takes, after checking each is a count. */
export function packConv2d(kernel: string, a: Conv2DAttrs): Float64Array {
  const hit = packed.get(a);
  // Same values as when packed (attrs objects are not meant to change, but nothing forbids it).
  if (hit && CONV2D_FIELDS.every((f, i) => hit[i] === a[f])) return hit;
  const out = checkedConv2d(kernel, a);
  packed.set(a, out);
  return out;
}

function checkedConv2d(kernel: string, a: Conv2DAttrs): Float64Array {
  counts(kernel, a, CONV2D_FIELDS);
  if (
    a.strideH < 1 ||
    a.strideW < 1 ||
    a.dilationH < 1 ||
    a.dilationW < 1 ||
    a.filterH < 1 ||
    a.filterW < 1
  ) {
    throw new RangeError(`${kernel} (native): filter sizes, strides and dilations must be >= 1`);
  }
  return packAttrs(a, CONV2D_FIELDS);
}

type ConvCall = (p: Float32Array, q: Float32Array, out: Float32Array, attrs: Float64Array) => void;

/**
 * The native convolution kernels (im2col + the native GEMM). Each checks that its three arrays
 * have the sizes the geometry implies: [batch, inH, inW, inC], [filterH, filterW, inC, outC] and
 * [batch, outH, outW, outC].
 */
export function registerConv2d(native: NativeBinding): void {
  const sizes = (a: Conv2DAttrs) => ({
    x: a.batch * a.inH * a.inW * a.inC,
    w: a.filterH * a.filterW * a.inC * a.outC,
    y: a.batch * a.outH * a.outW * a.outC,
  });
  const define = (
    name: 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter',
    call: ConvCall,
    order: ['x' | 'w' | 'y', 'x' | 'w' | 'y', 'x' | 'w' | 'y'],
  ) => {
    const reference = getKernel(name, REFERENCE_BACKEND);
    registerKernel(name, 'native', (inputs, outputs, a) => {
      const all = [inputs[0]!, inputs[1]!, outputs[0]!];
      if (!allFloat32(all)) {
        reference(inputs, outputs, a);
        return;
      }
      const attrs = packConv2d(name, a);
      const n = sizes(a);
      const [p, q, o] = all.map((t, i) => f32(name, order[i]!, t, n[order[i]!])) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      call.call(native, p, q, o, attrs);
    });
  };
  define('conv2d', native.conv2d, ['x', 'w', 'y']);
  define('conv2dBackpropInput', native.conv2dBackpropInput, ['y', 'w', 'x']);
  define('conv2dBackpropFilter', native.conv2dBackpropFilter, ['x', 'y', 'w']);
}
