import type { QuantizedLstmAttrs } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { counts } from '../check.js';

/** native/quant/qlstm_napi.cc. */
export interface QuantizedLstmBinding {
  quantizedLstm(
    x: Float32Array,
    kernel: Int8Array,
    kernelScale: Float32Array,
    recurrentKernel: Int8Array,
    recurrentScale: Float32Array,
    bias: Float32Array,
    h0: Float32Array,
    c0: Float32Array,
    mask: Float32Array,
    y: Float32Array,
    params: Float32Array,
    batch: number,
    steps: number,
    inDim: number,
    units: number,
    goBackwards: boolean,
    activation: number,
    recurrentActivation: number,
  ): void;
}

const kernel = 'quantizedLstm';

/**
 * The dynamically quantized LSTM (native/quant/qlstm.cc: the integer GEMM of native/quant and the
 * float LSTM's cells); storage of other types runs on the TypeScript kernel. Every length is
 * checked before crossing.
 */
export function registerQuantizedLstm(binding: NativeBinding): void {
  const native = binding as NativeBinding & QuantizedLstmBinding;
  // An addon built before this kernel existed leaves it to the TypeScript kernel.
  if (typeof native.quantizedLstm !== 'function') return;
  registerKernel(kernel, 'native', (inputs, outputs, a: QuantizedLstmAttrs) => {
    const data = inputs.map((t) => t.data);
    const [y, params] = outputs.map((t) => t.data);
    const ints = [data[1], data[3]];
    const floats = [data[0], data[2], data[4], data[5], data[6], data[7], data[8], y, params];
    if (
      !ints.every((d) => d instanceof Int8Array) ||
      !floats.every((d) => d instanceof Float32Array)
    ) {
      getKernel(kernel, REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    counts(kernel, a, ['batch', 'steps', 'inDim', 'units', 'activation', 'recurrentActivation']);
    const { batch: B, steps: T, inDim: I, units: U } = a;
    const G = 4 * U;
    const want = [B * T * I, I * G, G, U * G, G, G, B * U, B * U, B * T];
    data.forEach((d, i) => {
      if (d.length !== want[i])
        throw new RangeError(
          `${kernel} (native): input ${i} has ${d.length} elements, the attrs need ${want[i]}`,
        );
    });
    if (y!.length !== B * (T + 2) * U || params!.length !== 2)
      throw new RangeError(`${kernel} (native): the outputs do not fit the attrs`);
    native.quantizedLstm(
      ...(data as [
        Float32Array,
        Int8Array,
        Float32Array,
        Int8Array,
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
      ]),
      y as Float32Array,
      params as Float32Array,
      B,
      T,
      I,
      U,
      a.goBackwards,
      a.activation,
      a.recurrentActivation,
    );
  });
}
