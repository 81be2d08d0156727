import { reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SerializedObject } from '../engine/serialization.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';

/**
 * Applies one layer to every step of a sequence (the same weights at every step):
 * x [batch, steps, ...] → [batch, steps, ...layer output]. `new TimeDistributed(new Dense(8))`
 */
export class TimeDistributed extends Layer {
  static override className = 'TimeDistributed';
  readonly layer: Layer;

  constructor(layer: Layer, args: LayerArgs = {}) {
    super(args);
    if (!(layer instanceof Layer))
      throw new TypeError(`TimeDistributed: layer must be a Layer, got ${String(layer)}`);
    this.layer = layer;
    this.supportsMasking = true;
  }

  override get sublayers(): Layer[] {
    return [this.layer];
  }

  private inner(shape: SymbolicShape): SymbolicShape {
    if (shape.length < 3)
      throw new RangeError(
        `${layerLabel(this)}: expected input (None, steps, ...) of rank 3 or more, got [${shape.map((d) => d ?? 'None').join(', ')}]`,
      );
    return [null, ...shape.slice(2)];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.layer.ensureBuilt(this.inner(singleShape(this, inputShape)));
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.inner(x.shape);
    const [batch, steps] = x.shape as [number, number];
    const { mask: _m, ...rest } = args;
    const y = this.layer.apply(reshape(x, [batch * steps, ...x.shape.slice(2)]), rest);
    return reshape(y, [batch, steps, ...y.shape.slice(1)]);
  }

  override resetStates(): void {
    this.layer.resetStates();
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const out = this.layer.computeOutputShape(this.inner(shape)) as SymbolicShape;
    return [shape[0]!, shape[1]!, ...out.slice(1)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }

  /** Rebuilds a `TimeDistributed` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): TimeDistributed {
    const { layer, ...args } = config;
    return new TimeDistributed(deserializeLayer(layer as SerializedObject), args as LayerArgs);
  }
}

registerLayer(TimeDistributed);
