import type { Tensor } from '../../../tensor/tensor.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, f32, nativeOptions } from '../check.js';

/** The addon's fused GELU (native/activation/activation_napi.cc). */
export interface ActivationBinding {
  geluTanh(x: Float32Array, y: Float32Array): void;
  geluTanhBackward(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
}

/** Native 'geluTanh' and 'geluTanhBackward'; other dtypes and tiny inputs run in TypeScript. */
export function registerGelu(binding: NativeBinding): void {
  const native = binding as NativeBinding & ActivationBinding;
  const forward = getKernel('geluTanh', REFERENCE_BACKEND);
  const backward = getKernel('geluTanhBackward', REFERENCE_BACKEND);
  registerKernel('geluTanh', 'native', (inputs, outputs) => {
    const [x, y] = [inputs[0]!, outputs[0]!];
    if (x.size < nativeOptions.minElements || !allFloat32([x, y]))
      return forward(inputs, outputs, {});
    native.geluTanh(f32('geluTanh', 'x', x, x.size), f32('geluTanh', 'y', y, x.size));
  });
  registerKernel('geluTanhBackward', 'native', (inputs, outputs) => {
    const [dy, x] = inputs as [Tensor, Tensor];
    const dx = outputs[0]!;
    if (x.size < nativeOptions.minElements || !allFloat32([dy, x, dx]))
      return backward(inputs, outputs, {});
    const name = 'geluTanhBackward';
    native.geluTanhBackward(
      f32(name, 'dy', dy, x.size),
      f32(name, 'x', x, x.size),
      f32(name, 'dx', dx, x.size),
    );
  });
}
