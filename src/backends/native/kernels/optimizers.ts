import type { Tensor } from '../../../tensor/tensor.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { AdamUpdateAttrs } from '../../ts/kernels/adam-update.js';
import type { RmspropUpdateAttrs } from '../../ts/kernels/rmsprop-update.js';
import type { SgdUpdateAttrs } from '../../ts/kernels/sgd-update.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, f32 } from '../check.js';

/**
 * The native in-place optimizer steps (same slots and attrs as the TS kernels): inputs [grad],
 * outputs [variable, slots...], every array as long as the variable.
 */
export function registerOptimizers(native: NativeBinding): void {
  const define = <A>(
    name: string,
    slots: (attrs: A) => number,
    call: (arrays: Float32Array[], attrs: A) => void,
  ) => {
    const reference = getKernel(name, REFERENCE_BACKEND);
    registerKernel(
      name,
      'native',
      (inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: A) => {
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
      },
    );
  };
  define<SgdUpdateAttrs>(
    'sgdUpdate',
    (a) => (a.momentum === 0 ? 0 : 1),
    ([g, w, m], a) =>
      native.sgdUpdate(g!, w!, m ?? null, a.learningRate, a.momentum, a.nesterov, a.decay),
  );
  define<AdamUpdateAttrs>(
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
  define<RmspropUpdateAttrs>(
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
