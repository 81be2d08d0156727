import type { KernelAttrs } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, f32 } from '../check.js';

/**
 * The native in-place optimizer steps (same slots and attrs as the TS kernels): inputs [grad],
 * outputs [variable, slots...], every array as long as the variable.
 */
export function registerOptimizers(native: NativeBinding): void {
  const define = <K extends 'sgdUpdate' | 'adamUpdate' | 'rmspropUpdate'>(
    name: K,
    slots: (attrs: KernelAttrs<K>) => number,
    call: (arrays: Float32Array[], attrs: KernelAttrs<K>) => void,
  ) => {
    const reference = getKernel(name, REFERENCE_BACKEND);
    registerKernel(name, 'native', (inputs, outputs, attrs) => {
      const all = [inputs[0]!, ...outputs.slice(0, 1 + slots(attrs))];
      if (all.some((t) => t === undefined) || !allFloat32(all)) {
        reference(inputs, outputs, attrs);
        return;
      }
      const n = outputs[0]!.size;
      call(
        all.map((t, i) =>
          f32(name, i === 0 ? 'grad' : i === 1 ? 'variable' : `slot ${i - 2}`, t, n),
        ),
        attrs,
      );
    });
  };
  define(
    'sgdUpdate',
    (a) => (a.momentum === 0 ? 0 : 1),
    ([g, w, m], a) =>
      native.sgdUpdate(g!, w!, m ?? null, a.learningRate, a.momentum, a.nesterov, a.decay),
  );
  define(
    'adamUpdate',
    (a) => (a.amsgrad ? 3 : 2),
    ([g, w, m, v, vHat], a) =>
      native.adamUpdate(
        g!,
        w!,
        m!,
        v!,
        a.amsgrad ? vHat! : null,
        a.alpha,
        a.beta1,
        a.beta2,
        a.epsilon,
        a.decay,
        a.gradScale ?? 1,
      ),
  );
  define(
    'rmspropUpdate',
    (a) => 1 + (a.momentum > 0 ? 1 : 0) + (a.centered ? 1 : 0),
    ([g, w, v, ...rest], a) => {
      const mom = a.momentum > 0 ? rest[0]! : null;
      const avg = a.centered ? rest[a.momentum > 0 ? 1 : 0]! : null;
      native.rmspropUpdate(
        g!,
        w!,
        v!,
        mom,
        avg,
        a.learningRate,
        a.rho,
        a.momentum,
        a.epsilon,
        a.decay,
      );
    },
  );
}
