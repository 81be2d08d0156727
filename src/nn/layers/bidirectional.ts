import { add, concat, div, mul, reverse } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SerializedObject } from '../engine/serialization.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { BaseRnn } from './base-rnn.js';
import { layerLabel } from './internal/args.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';

/** How `Bidirectional` combines the forward and backward outputs; null returns both. */
export type MergeMode = 'sum' | 'mul' | 'concat' | 'ave' | null;

/** Options of the `Bidirectional` wrapper. */
export interface BidirectionalArgs extends LayerArgs {
  /** How the two directions' outputs combine; null returns both. 'concat' by default. */
  mergeMode?: MergeMode;
  /** The backward layer; by default a copy of `layer` with goBackwards flipped. */
  backwardLayer?: BaseRnn | null;
}

const MODES = ['sum', 'mul', 'concat', 'ave', null];

/**
 * Runs a recurrent layer forwards and a copy backwards over the same sequence and merges the
 * outputs (the backward outputs are re-reversed first when sequences are returned). Weights:
 * the forward layer's, then the backward layer's. `new Bidirectional(new LSTM(64))`
 */
export class Bidirectional extends Layer {
  static override className = 'Bidirectional';
  readonly forwardLayer: BaseRnn;
  readonly backwardLayer: BaseRnn;
  readonly mergeMode: MergeMode;
  private readonly layerConfig: SerializedObject;
  private readonly backwardConfig: SerializedObject | null;

  constructor(layer: BaseRnn, args: BidirectionalArgs = {}) {
    super(args);
    if (!(layer instanceof BaseRnn))
      throw new TypeError(
        `Bidirectional: layer must be a recurrent layer (LSTM, GRU, SimpleRNN), got ${String((layer as unknown as { constructor?: { name?: string } })?.constructor?.name ?? layer)}`,
      );
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (!MODES.includes(mode))
      throw new RangeError(
        `Bidirectional: mergeMode must be 'sum', 'mul', 'concat', 'ave' or null, got ${JSON.stringify(mode)}`,
      );
    this.mergeMode = mode;
    this.layerConfig = serializeLayer(layer);
    this.backwardConfig = args.backwardLayer ? serializeLayer(args.backwardLayer) : null;
    this.forwardLayer = layer;
    if (args.backwardLayer) {
      const b = args.backwardLayer;
      if (
        b.goBackwards === layer.goBackwards ||
        b.returnSequences !== layer.returnSequences ||
        b.returnState !== layer.returnState
      )
        throw new RangeError(
          'Bidirectional: backwardLayer must have the opposite goBackwards and the same returnSequences and returnState as layer',
        );
      this.backwardLayer = b;
    } else {
      const { config } = this.layerConfig;
      const copy = deserializeLayer({
        className: this.layerConfig.className,
        config: { ...config, name: `backward_${layer.name}`, goBackwards: !layer.goBackwards },
      });
      this.backwardLayer = copy as BaseRnn;
    }
    layer.name = `forward_${layer.name}`;
    this.supportsMasking = true;
  }

  override get sublayers(): Layer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.forwardLayer.ensureBuilt(inputShape);
    this.backwardLayer.ensureBuilt(inputShape);
    this.built = true;
  }

  private merge(f: Tensor, b: Tensor): Tensor | Tensor[] {
    switch (this.mergeMode) {
      case 'concat':
        return concat([f, b], -1);
      case 'sum':
        return add(f, b);
      case 'mul':
        return mul(f, b);
      case 'ave':
        return div(add(f, b), 2);
      default:
        return [f, b];
    }
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const given = (args['initialState'] as Tensor[] | undefined) ?? list.slice(1);
    const n = this.forwardLayer.stateCount;
    if (given.length !== 0 && given.length !== 2 * n)
      throw new RangeError(
        `${layerLabel(this)}: expected ${2 * n} initial states (forward then backward), got ${given.length}`,
      );
    const { initialState: _ignored, ...rest } = args;
    const run = (layer: BaseRnn, states: Tensor[]) => {
      const y = layer.apply(list[0]!, {
        ...rest,
        ...(states.length ? { initialState: states } : {}),
      });
      return (Array.isArray(y) ? y : [y]) as Tensor[];
    };
    const [yf, ...sf] = run(this.forwardLayer, given.slice(0, n));
    let [yb, ...sb] = run(this.backwardLayer, given.slice(n));
    if (this.forwardLayer.returnSequences) yb = reverse(yb!, [1]);
    const merged = this.merge(yf!, yb!);
    const out = Array.isArray(merged) ? merged : [merged];
    if (!this.forwardLayer.returnState) return out.length === 1 ? out[0]! : out;
    return [...out, ...sf, ...sb];
  }

  override resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]) {
    const shape = this.forwardLayer.computeOutputShape(inputShape);
    const list = (Array.isArray(shape[0]) ? shape : [shape]) as SymbolicShape[];
    const [y, ...states] = list;
    const ys =
      this.mergeMode === 'concat'
        ? [[...y!.slice(0, -1), 2 * (y!.at(-1) as number)]]
        : this.mergeMode === null
          ? [y!, y!]
          : [y!];
    const all = [...ys, ...states, ...states];
    return all.length === 1 ? all[0]! : all;
  }

  override computeMask(_inputs: LayerInput, mask: Tensor | null | undefined): Tensor | null {
    return this.forwardLayer.returnSequences ? (mask ?? null) : null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      layer: this.layerConfig,
      mergeMode: this.mergeMode,
      ...(this.backwardConfig ? { backwardLayer: this.backwardConfig } : {}),
    };
  }

  /** Rebuilds a `Bidirectional` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Bidirectional {
    const { layer, backwardLayer, ...args } = config;
    return new Bidirectional(deserializeLayer(layer as SerializedObject) as BaseRnn, {
      ...(args as BidirectionalArgs),
      backwardLayer: backwardLayer
        ? (deserializeLayer(backwardLayer as SerializedObject) as BaseRnn)
        : null,
    });
  }
}

registerLayer(Bidirectional);
