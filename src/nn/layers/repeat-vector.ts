import { broadcastTo, reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { positiveInt, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/**
 * Repeats a vector n times: [batch, features] → [batch, n, features] (a seq2seq decoder's input).
 * `new RepeatVector(10)`
 */
export class RepeatVector extends Layer {
  static override className = 'RepeatVector';
  readonly n: number;

  constructor(n: number, args: LayerArgs = {}) {
    super(args);
    this.n = positiveInt('RepeatVector', 'n', n);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const [b, f] = x.shape as [number, number];
    return broadcastTo(reshape(x, [b, 1, f]), [b, this.n, f]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== 2) throw this.shapeError('(None, features)', shape);
    return [shape[0]!, this.n, shape[1]!];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }

  /** Rebuilds a `RepeatVector` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RepeatVector {
    const { n, ...args } = config;
    return new RepeatVector(n as number, args as LayerArgs);
  }
}

registerLayer(RepeatVector);
