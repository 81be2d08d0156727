import type { ActivationFn } from '../../activations/activations.js';
import { type ActivationIdentifier, getActivation } from '../../activations/get-activation.js';
import type { WeightInitializer, WeightRegularizer } from '../../engine/layer.js';
import type { SerializedObject } from '../../engine/serialization.js';
import { getInitializer } from '../../initializers/get-initializer.js';
import type { InitializerIdentifier, InitializerName } from '../../initializers/initializer.js';
import { getRegularizer } from '../../regularizers/get-regularizer.js';
import {
  type RegularizerIdentifier,
  serializeRegularizer,
} from '../../regularizers/regularizer.js';

/** Resolves an initializer option, with the layer's name in any error. */
export function resolveInitializer(
  className: string,
  arg: string,
  identifier: InitializerIdentifier | undefined,
  fallback: InitializerName,
): WeightInitializer {
  try {
    return getInitializer(identifier ?? fallback);
  } catch (e) {
    throw new RangeError(`${className}: ${arg}: ${(e as Error).message}`);
  }
}

/** Resolves a regularizer option (null when absent), with the layer's name in any error. */
export function resolveRegularizer(
  className: string,
  arg: string,
  identifier: RegularizerIdentifier | null | undefined,
): WeightRegularizer | null {
  try {
    return getRegularizer(identifier);
  } catch (e) {
    throw new RangeError(`${className}: ${arg}: ${(e as Error).message}`);
  }
}

/** A regularizer's config entry: `{className, config}` or null. */
export function regularizerConfig(reg: WeightRegularizer | null): SerializedObject | null {
  return reg ? serializeRegularizer(reg) : null;
}

/** Resolves an activation option (linear when absent), with the layer's name in any error. */
export function resolveActivation(
  className: string,
  identifier: ActivationIdentifier,
): ActivationFn {
  try {
    return getActivation(identifier);
  } catch (e) {
    throw new RangeError(`${className}: activation: ${(e as Error).message}`);
  }
}
