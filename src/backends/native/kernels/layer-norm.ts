import type { Tensor } from '../../../tensor/tensor.js';
import type { LayerNormAttrs } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32, nativeOptions } from '../check.js';

/** The addon's layer normalization (native/norm/norm_napi.cc). */
export interface NormBinding {
  layerNorm(
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    y: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    rows: number,
    features: number,
    epsilon: number,
  ): void;
  /** dgamma/dbeta null when not wanted. */
  layerNormBackward(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    gamma: Float32Array | null,
    dx: Float32Array,
    dgamma: Float32Array | null,
    dbeta: Float32Array | null,
    rows: number,
    features: number,
  ): void;
}

/** Native 'layerNorm' and 'layerNormBackward' with the TS kernels' inputs, outputs and attrs. */
export function registerLayerNorm(binding: NativeBinding): void {
  const native = binding as NativeBinding & NormBinding;
  const forward = getKernel('layerNorm', REFERENCE_BACKEND);
  const backward = getKernel('layerNormBackward', REFERENCE_BACKEND);
  const small = (a: LayerNormAttrs) => a.rows * a.features < nativeOptions.minElements;
  registerKernel('layerNorm', 'native', (inputs, outputs, a) => {
    if (small(a) || !allFloat32([...inputs, ...outputs])) return forward(inputs, outputs, a);
    counts('layerNorm', a, ['rows', 'features']);
    const { rows, features: F } = a;
    const param = (name: string, i: number) => f32('layerNorm', name, inputs[i]!, F);
    native.layerNorm(
      f32('layerNorm', 'x', inputs[0]!, rows * F),
      a.hasGamma ? param('gamma', 1) : null,
      a.hasBeta ? param('beta', a.hasGamma ? 2 : 1) : null,
      f32('layerNorm', 'y', outputs[0]!, rows * F),
      f32('layerNorm', 'mean', outputs[1]!, rows),
      f32('layerNorm', 'rstd', outputs[2]!, rows),
      rows,
      F,
      a.epsilon,
    );
  });
  registerKernel('layerNormBackward', 'native', (inputs, outputs, a) => {
    if (small(a) || !allFloat32([...inputs, ...outputs])) return backward(inputs, outputs, a);
    const name = 'layerNormBackward';
    counts(name, a, ['rows', 'features']);
    const { rows, features: F } = a;
    const [dy, x, mean, rstd, gamma] = inputs;
    // An empty dgamma/dbeta output means the gradient is not wanted (as in the TS kernel).
    const optional = (t: Tensor, what: string) => (t.size === 0 ? null : f32(name, what, t, F));
    native.layerNormBackward(
      f32(name, 'dy', dy!, rows * F),
      f32(name, 'x', x!, rows * F),
      f32(name, 'mean', mean!, rows),
      f32(name, 'rstd', rstd!, rows),
      a.hasGamma ? f32(name, 'gamma', gamma!, F) : null,
      f32(name, 'dx', outputs[0]!, rows * F),
      optional(outputs[1]!, 'dgamma'),
      optional(outputs[2]!, 'dbeta'),
      rows,
      F,
    );
  });
}
