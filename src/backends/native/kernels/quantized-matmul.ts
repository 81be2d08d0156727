import type { Tensor } from '../../../tensor/tensor.js';
import { CONV2D_FIELDS, type Conv2DAttrs, POOL2D_FIELDS, packAttrs } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { counts } from '../check.js';

type QGemmTail = [
  x: Uint8Array | Int8Array,
  w: Int8Array,
  bias: Int32Array | Float32Array | null,
  y: Int32Array | Uint8Array | Int8Array | Float32Array,
  xZeroPoint: number,
  scale: Float32Array | null,
  yZeroPoint: number,
  relu: boolean,
  packed: Uint8Array | null,
];

/** native/quant/quant_napi.cc. */
export interface QuantBinding {
  /** y Int32Array: the accumulators (scale null); y Uint8Array/Int8Array: requantized;
   * y Float32Array: dequantized (bias Float32Array). */
  quantizedMatMul(...args: [...QGemmTail, M: number, K: number, N: number]): void;
  quantizedConv2d(...args: [...QGemmTail, attrs: Float64Array]): void;
  /** y Uint8Array: the pooled output (poolAttrs' input is the convolution's output). */
  quantizedConv2dMaxPool(
    ...args: [...QGemmTail, attrs: Float64Array, poolAttrs: Float64Array]
  ): void;
  /** L: the k segment (K for a matrix product, filterW·inC for a convolution's filter rows). */
  quantizedPackedBytes(K: number, N: number, L: number): number;
  quantizedPackWeights(w: Int8Array, K: number, N: number, L: number, packed: Uint8Array): void;
  quantizeLinear(x: Float32Array, q: Uint8Array, n: number, scale: number, zero: number): void;
  maxPool2dU8(x: Uint8Array, y: Uint8Array, attrs: Float64Array): void;
  /** params receives [scale, zeroPoint] (NaN, NaN for a non-finite x). */
  quantizeUint8(x: Float32Array, q: Uint8Array, params: Float32Array, n: number): void;
}

const kernel = 'quantizedMatMul';

function exact(t: Tensor, n: number, name: string): void {
  if (t.data.length !== n)
    throw new RangeError(
      `${kernel} (native): ${name} has ${t.data.length} elements, the attrs need ${n}`,
    );
}

// Packed attrs by attrs object (a replayed inference plan passes the same object every call),
// checked as counts when packed and reused while their values are unchanged.
const packedAttrs = new WeakMap<object, Float64Array>();

function attrsOf<A extends object>(
  kernel: string,
  a: A,
  fields: readonly (keyof A)[],
): Float64Array {
  const hit = packedAttrs.get(a);
  if (hit && fields.every((f, i) => hit[i] === a[f])) return hit;
  counts(kernel, a, fields as readonly string[]);
  const out = packAttrs(a, fields);
  packedAttrs.set(a, out);
  return out;
}

/** True when the storage types are the ones the C++ entry point takes. */
function declared(x: Tensor, w: Tensor, bias: Tensor | undefined, y: Tensor): boolean {
  const xOk =
    (x.dtype === 'uint8' && x.data instanceof Uint8Array) ||
    (x.dtype === 'int8' && x.data instanceof Int8Array);
  const yOk =
    (y.dtype === 'int32' && y.data instanceof Int32Array) ||
    (y.dtype === 'uint8' && y.data instanceof Uint8Array) ||
    (y.dtype === 'int8' && y.data instanceof Int8Array) ||
    (y.dtype === 'float32' && y.data instanceof Float32Array);
  const biasOk =
    !bias ||
    (y.dtype === 'float32' ? bias.data instanceof Float32Array : bias.data instanceof Int32Array);
  return xOk && yOk && w.data instanceof Int8Array && biasOk;
}

// Weights packed once per weight array, kept while its bytes are unchanged (a layer's weights
// are Variables whose storage assign() overwrites in place, so the bytes are compared each call:
// a memcmp of K·N bytes instead of packing them again). The C++ side checks that a packing fits
// the active ISA, shape and segment length, and packs for the call where it does not.
const packs = new WeakMap<Int8Array, { copy: Buffer; packed: Uint8Array; L: number }>();

function packedWeights(
  native: QuantBinding,
  w: Int8Array,
  K: number,
  N: number,
  L: number,
): Uint8Array {
  const bytes = Buffer.from(w.buffer, w.byteOffset, w.byteLength);
  const hit = packs.get(w);
  const size = native.quantizedPackedBytes(K, N, L);
  if (hit && hit.L === L && hit.packed.length === size && hit.copy.equals(bytes)) return hit.packed;
  const packed = new Uint8Array(size);
  native.quantizedPackWeights(w, K, N, L, packed);
  packs.set(w, { copy: Buffer.from(bytes), packed, L });
  return packed;
}

/** The common checks of the integer GEMM's operands; false: storage the C++ does not take. */
function gemmArgs(
  kernel: string,
  native: QuantBinding,
  inputs: readonly Tensor[],
  y: Tensor,
  a: {
    xZeroPoint: number;
    outputScale: Float32Array | null;
    outputZeroPoint: number;
    relu: boolean;
  },
  K: number,
  N: number,
  L: number,
): QGemmTail | null {
  const [x, w, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
  if (!declared(x, w, bias, y)) return null;
  exact(w, K * N, 'w');
  if (bias) exact(bias, N, 'bias');
  const scale = a.outputScale;
  if (
    (scale === null) !== (y.dtype === 'int32') ||
    (scale && scale.length !== 1 && scale.length !== N)
  )
    throw new RangeError(`${kernel} (native): outputScale does not fit the output ${y.dtype}`);
  return [
    x.data as Uint8Array | Int8Array,
    w.data as Int8Array,
    bias ? (bias.data as Int32Array | Float32Array) : null,
    y.data as Int32Array | Uint8Array | Int8Array | Float32Array,
    a.xZeroPoint,
    scale,
    a.outputZeroPoint,
    a.relu,
    packedWeights(native, w.data as Int8Array, K, N, L),
  ];
}

/** K, N and the k segment of a convolution's GEMM: filterW·inC contiguous bytes of each row of
 * the window (inC when the width is dilated). */
function convShape(a: Conv2DAttrs): [K: number, N: number, L: number] {
  const L = a.dilationW === 1 ? a.filterW * a.inC : a.inC;
  return [a.filterH * a.filterW * a.inC, a.outC, L];
}

/**
 * The native int8 GEMM (native/quant/) with its fused requantization, on weights packed once;
 * storage of other types runs on the TypeScript kernel. Every length is checked before crossing.
 */
export function registerQuantizedMatMul(binding: NativeBinding): void {
  const native = binding as NativeBinding & QuantBinding;
  registerKernel(kernel, 'native', (inputs, outputs, a) => {
    const y = outputs[0]!;
    counts(kernel, a, ['M', 'K', 'N']);
    const args = gemmArgs(kernel, native, inputs, y, a, a.K, a.N, a.K);
    if (!args) {
      getKernel(kernel, REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    exact(inputs[0], a.M * a.K, 'x');
    exact(y, a.M * a.N, 'y');
    native.quantizedMatMul(...args, a.M, a.K, a.N);
  });
  registerKernel('quantizedConv2d', 'native', (inputs, outputs, a) => {
    const y = outputs[0]!;
    const attrs = attrsOf('quantizedConv2d', a, CONV2D_FIELDS);
    const args = gemmArgs('quantizedConv2d', native, inputs, y, a, ...convShape(a));
    if (!args) {
      getKernel('quantizedConv2d', REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    exact(inputs[0], a.batch * a.inH * a.inW * a.inC, 'x');
    exact(y, a.batch * a.outH * a.outW * a.outC, 'y');
    native.quantizedConv2d(...args, attrs);
  });
  registerKernel('quantizedConv2dMaxPool', 'native', (inputs, outputs, a) => {
    const y = outputs[0]!;
    const attrs = attrsOf('quantizedConv2dMaxPool', a, CONV2D_FIELDS);
    const pool = attrsOf('quantizedConv2dMaxPool', a.pool, POOL2D_FIELDS);
    const args =
      y.dtype === 'uint8' &&
      gemmArgs('quantizedConv2dMaxPool', native, inputs, y, a, ...convShape(a));
    if (!args) {
      getKernel('quantizedConv2dMaxPool', REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    exact(inputs[0], a.batch * a.inH * a.inW * a.inC, 'x');
    exact(y, a.batch * a.pool.outH * a.pool.outW * a.outC, 'y');
    native.quantizedConv2dMaxPool(...args, attrs, pool);
  });
}

/** The one-kernel dynamic uint8 quantization (native/quant/qgemm.cc quantize_uint8). */
export function registerQuantizeUint8(binding: NativeBinding): void {
  const native = binding as NativeBinding & QuantBinding;
  registerKernel('quantizeUint8', 'native', (inputs, outputs, a) => {
    const x = inputs[0];
    const [q, params] = outputs;
    if (
      !(x.data instanceof Float32Array) ||
      !(q!.data instanceof Uint8Array) ||
      !(params!.data instanceof Float32Array)
    ) {
      getKernel('quantizeUint8', REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    counts('quantizeUint8', a, ['size']);
    native.quantizeUint8(x.data, q!.data, params!.data, a.size);
  });
}

/** Static quantization (quantizeLinear) and uint8 max pooling (float32 pooling stays in pool2d.ts). */
export function registerQuantizeLinear(binding: NativeBinding): void {
  const native = binding as NativeBinding & QuantBinding;
  registerKernel('quantizeLinear', 'native', (inputs, outputs, a) => {
    const x = inputs[0];
    const q = outputs[0]!;
    if (!(x.data instanceof Float32Array) || !(q.data instanceof Uint8Array)) {
      getKernel('quantizeLinear', REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    counts('quantizeLinear', a, ['size', 'zeroPoint']);
    native.quantizeLinear(x.data, q.data, a.size, a.scale, a.zeroPoint);
  });
  const floatPool = getKernel('maxPool2d', 'native');
  registerKernel('maxPool2d', 'native', (inputs, outputs, a) => {
    const x = inputs[0]!;
    const y = outputs[0]!;
    if (!(x.data instanceof Uint8Array) || !(y.data instanceof Uint8Array)) {
      floatPool(inputs, outputs, a);
      return;
    }
    native.maxPool2dU8(x.data, y.data, attrsOf('maxPool2d', a, POOL2D_FIELDS));
  });
}
