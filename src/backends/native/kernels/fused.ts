import type { KernelName } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32 } from '../check.js';
import { packConv2d } from './conv2d.js';

/** The fused kernels of native/conv/conv_napi.cc. */
export interface FusedBinding {
  fusedConv2d(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    attrs: Float64Array,
    activation: number,
  ): void;
  fusedDense(
    x: Float32Array,
    kernel: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    M: number,
    K: number,
    N: number,
    activation: number,
  ): void;
  biasActivation(
    x: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    rows: number,
    channels: number,
    activation: number,
  ): void;
  activationGrad(
    dy: Float32Array,
    y: Float32Array,
    dz: Float32Array,
    rows: number,
    channels: number,
    activation: number,
  ): void;
}

/** fusedConv2d, fusedDense, biasActivation and activationGrad on the native backend (float32 only). */
export function registerFused(binding: NativeBinding): void {
  const native = binding as NativeBinding & FusedBinding;
  const fallback = <K extends KernelName>(name: K) => getKernel(name, REFERENCE_BACKEND);
  const conv = fallback('fusedConv2d');
  registerKernel('fusedConv2d', 'native', (inputs, outputs, a) => {
    if (!allFloat32(inputs) || !allFloat32(outputs)) return conv(inputs, outputs, a);
    const name = 'fusedConv2d';
    const attrs = packConv2d(name, a);
    native.fusedConv2d(
      f32(name, 'x', inputs[0]!, a.batch * a.inH * a.inW * a.inC),
      f32(name, 'filter', inputs[1]!, a.filterH * a.filterW * a.inC * a.outC),
      inputs[2] ? f32(name, 'bias', inputs[2], a.outC) : null,
      f32(name, 'y', outputs[0]!, a.batch * a.outH * a.outW * a.outC),
      attrs,
      a.activation,
    );
  });
  const denseRef = fallback('fusedDense');
  registerKernel('fusedDense', 'native', (inputs, outputs, a) => {
    if (!allFloat32(inputs) || !allFloat32(outputs)) return denseRef(inputs, outputs, a);
    const name = 'fusedDense';
    counts(name, a, ['M', 'K', 'N', 'activation']);
    native.fusedDense(
      f32(name, 'x', inputs[0]!, a.M * a.K),
      f32(name, 'kernel', inputs[1]!, a.K * a.N),
      inputs[2] ? f32(name, 'bias', inputs[2], a.N) : null,
      f32(name, 'y', outputs[0]!, a.M * a.N),
      a.M,
      a.K,
      a.N,
      a.activation,
    );
  });
  const bias = fallback('biasActivation');
  registerKernel('biasActivation', 'native', (inputs, outputs, a) => {
    if (!allFloat32(inputs) || !allFloat32(outputs)) return bias(inputs, outputs, a);
    const name = 'biasActivation';
    counts(name, a, ['rows', 'channels', 'activation']);
    const n = a.rows * a.channels;
    native.biasActivation(
      f32(name, 'x', inputs[0]!, n),
      inputs[1] ? f32(name, 'bias', inputs[1], a.channels) : null,
      f32(name, 'y', outputs[0]!, n),
      a.rows,
      a.channels,
      a.activation,
    );
  });
  const grad = fallback('activationGrad');
  registerKernel('activationGrad', 'native', (inputs, outputs, a) => {
    if (!allFloat32(inputs) || !allFloat32(outputs)) return grad(inputs, outputs, a);
    const name = 'activationGrad';
    counts(name, a, ['rows', 'channels', 'activation']);
    const n = a.rows * a.channels;
    native.activationGrad(
      f32(name, 'dy', inputs[0]!, n),
      f32(name, 'y', inputs[1]!, n),
      f32(name, 'dz', outputs[0]!, n),
      a.rows,
      a.channels,
      a.activation,
    );
  });
}
