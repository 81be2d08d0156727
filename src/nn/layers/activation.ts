import type { Tensor } from '../../tensor/tensor.js';
import type { ActivationFn } from '../activations/activations.js';
import {
  type ActivationIdentifier,
  type ActivationName,
  serializeActivation,
} from '../activations/get-activation.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { resolveActivation } from './internal/config.js';
import { registerLayer } from './registry.js';

/** Applies an activation function elementwise. `new Activation('relu')` */
export class Activation extends Layer {
  static override className = 'Activation';
  readonly activation: ActivationFn;

  constructor(activation: ActivationIdentifier, args: LayerArgs = {}) {
    super(args);
    this.activation = resolveActivation('Activation', activation);
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    return this.activation(singleInput(this, inputs));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: serializeActivation(this.activation) };
  }

  /** Rebuilds an `Activation` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Activation {
    const { activation, ...args } = config;
    // A name from a config: the constructor validates it (an unknown one throws, naming the layer).
    return new Activation(activation as ActivationName, args as LayerArgs);
  }
}

registerLayer(Activation);
