import { type CallArgs, isShapeList, Layer, type LayerInput } from '../nn/engine/layer.js';
import type { SerializedObject } from '../nn/engine/serialization.js';
import type { SymbolicShape, SymbolicTensor } from '../nn/engine/symbolic-tensor.js';
import { Input, InputLayer } from '../nn/layers/input-layer.js';
import { deserializeLayer, registerLayer, serializeLayer } from '../nn/layers/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import { markTraceableModelCall } from './inference-plan.js';
import { Model } from './model.js';

/** Options of `Sequential`. */
export interface SequentialArgs {
  name?: string;
  trainable?: boolean;
}

/**
 * A linear stack of layers. With an input shape on the first layer (`inputShape: [784]`) the model
 * is built as layers are added, so `summary()` works before training; otherwise it is built from
 * the first data it sees. `new Sequential([new Dense(64, {inputShape: [784]}), new Dense(10)])`
 */
export class Sequential extends Model {
  static override className = 'Sequential';
  private readonly stack: Layer[] = [];
  private input: SymbolicTensor | null = null;
  private output: SymbolicTensor | null = null;

  constructor(layers: readonly Layer[] = [], args: SequentialArgs = {}) {
    super({ name: args.name, trainable: args.trainable });
    for (const layer of layers) this.add(layer);
  }

  /** The stacked layers, in order (without the InputLayer). */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  /** Appends a layer; the first needs inputShape/batchInputShape to build the model right away. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) {
      throw new TypeError(`Sequential '${this.name}': add() expects a Layer, got ${String(layer)}`);
    }
    if (layer instanceof InputLayer) {
      if (this.stack.length > 0 || this.input) {
        throw new Error(`Sequential '${this.name}': an InputLayer can only come first`);
      }
      this.input = layer.output;
      this.output = layer.output;
      this.setGraph(this.input, this.output);
      return;
    }
    this.stack.push(layer);
    if (!this.input && this.stack.length === 1 && layer.batchInputShape) {
      this.input = Input({ batchShape: layer.batchInputShape, dtype: layer.dtype });
      this.output = this.input;
    }
    if (this.output) {
      try {
        this.output = this.applyLayer(layer, this.output);
      } catch (e) {
        this.stack.pop();
        throw e;
      }
      this.setGraph(this.input!, this.output);
    }
  }

  /** Removes the last layer. */
  pop(): Layer {
    const layer = this.stack.pop();
    if (!layer) throw new Error(`Sequential '${this.name}': pop() on a model with no layers`);
    if (this.input) {
      let x = this.input;
      for (const l of this.stack) x = this.applyLayer(l, x);
      this.output = x;
      this.setGraph(this.input, x);
    }
    return layer;
  }

  private applyLayer(layer: Layer, x: SymbolicTensor): SymbolicTensor {
    const y = layer.apply(x);
    if (Array.isArray(y)) {
      throw new Error(
        `Sequential '${this.name}': layer '${layer.name}' returns ${y.length} tensors; a Sequential layer must return one (use the functional API)`,
      );
    }
    return y as SymbolicTensor;
  }

  /** Builds the model for inputs of this shape (the batch axis is left free). */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    if (this.graph) return;
    if (isShapeList(inputShape)) {
      throw new Error(`Sequential '${this.name}': takes one input, got ${inputShape.length}`);
    }
    if (this.stack.length === 0) {
      throw new Error(
        `Sequential '${this.name}': the model has no layers; add some with model.add(layer)`,
      );
    }
    const input = Input({
      batchShape: [null, ...inputShape.slice(1)],
      dtype: this.stack[0]!.dtype,
    });
    let x = input;
    for (const l of this.stack) x = this.applyLayer(l, x);
    this.input = input;
    this.output = x;
    this.setGraph(input, x);
  }

  override call(inputs: LayerInput, args: CallArgs): LayerInput {
    if (!this.graph) {
      const first = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor | undefined;
      this.ensureBuilt(first ? first.shape : []);
    }
    return super.call(inputs, args);
  }

  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      layers: this.stack.map(serializeLayer),
      ...(this.input ? { buildInputShape: this.input.shape } : {}),
    };
  }

  static override fromConfig(config: Record<string, unknown>): Sequential {
    const layers = ((config['layers'] ?? []) as SerializedObject[]).map(deserializeLayer);
    const model = new Sequential([], { name: config['name'] as string | undefined });
    const shape = config['buildInputShape'] as SymbolicShape | undefined;
    if (shape && !layers[0]?.batchInputShape) model.add(new InputLayer({ batchInputShape: shape }));
    for (const l of layers) model.add(l);
    return model;
  }
}

registerLayer(Sequential);
markTraceableModelCall(Sequential.prototype.call);
