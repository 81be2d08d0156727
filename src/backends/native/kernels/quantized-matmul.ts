import type { Tensor } from '../../../tensor/tensor.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { counts } from '../check.js';

/** native/quant/quant_napi.cc. */
export interface QuantBinding {
  /** y Int32Array: the accumulators (scale null); y Uint8Array/Int8Array: requantized;
   * y Float32Array: dequantized (bias Float32Array). */
  quantizedMatMul(
    x: Uint8Array | Int8Array,
    w: Int8Array,
    bias: Int32Array | Float32Array | null,
    y: Int32Array | Uint8Array | Int8Array | Float32Array,
    M: number,
    K: number,
    N: number,
    xZeroPoint: number,
    scale: Float32Array | null,
    yZeroPoint: number,
    relu: boolean,
  ): void;
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

/**
 * The native int8 GEMM (native/quant/) with its fused requantization; storage of other types
 * runs on the TypeScript kernel. Every length is checked against the attrs before crossing.
 */
export function registerQuantizedMatMul(binding: NativeBinding): void {
  const native = binding as NativeBinding & QuantBinding;
  registerKernel(kernel, 'native', (inputs, outputs, a) => {
    const [x, w, bias] = inputs;
    const y = outputs[0]!;
    if (!declared(x, w, bias, y)) {
      getKernel(kernel, REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    counts(kernel, a, ['M', 'K', 'N']);
    exact(x, a.M * a.K, 'x');
    exact(w, a.K * a.N, 'w');
    if (bias) exact(bias, a.N, 'bias');
    exact(y, a.M * a.N, 'y');
    const scale = a.outputScale;
    if (
      (scale === null) !== (y.dtype === 'int32') ||
      (scale && scale.length !== 1 && scale.length !== a.N)
    )
      throw new RangeError(
        `${kernel} (native): outputScale does not fit the output ${y.dtype} [${a.M}, ${a.N}]`,
      );
    native.quantizedMatMul(
      x.data as Uint8Array | Int8Array,
      w.data as Int8Array,
      bias ? (bias.data as Int32Array | Float32Array) : null,
      y.data as Int32Array | Uint8Array | Int8Array | Float32Array,
      a.M,
      a.K,
      a.N,
      a.xZeroPoint,
      scale,
      a.outputZeroPoint,
      a.relu,
    );
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
