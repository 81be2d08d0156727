import type { FusedActivation } from '../../../ops/index.js';
import type { ActivationFn } from '../../activations/activations.js';
import { linear, relu, sigmoid, softmax, tanh } from '../../activations/activations.js';
import { getActivation } from '../../activations/get-activation.js';

// The built-in activations a fused kernel can apply, keyed by identity (taken at load time, so a
// custom function registered later under the same name is never mistaken for the built-in).
const FUSABLE = new Map<ActivationFn, FusedActivation>();
for (const [name, fn] of [
  ['linear', linear],
  ['relu', relu],
  ['sigmoid', sigmoid],
  ['tanh', tanh],
  ['softmax', softmax],
] as const) {
  FUSABLE.set(fn, name);
  FUSABLE.set(getActivation(name), name);
}

/** The fused-kernel name of a layer's activation, or null when it must run as its own op. */
export function fusedActivationOf(fn: ActivationFn): FusedActivation | null {
  return FUSABLE.get(fn) ?? null;
}
