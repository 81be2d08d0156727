import { broadcastTo, reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { positiveInt, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `UpSampling1D` layer. */
export interface UpSampling1DArgs extends LayerArgs {
  /** How many times each step is repeated (2 by default). */
  size?: number;
}

/** Repeats each step `size` times: [batch, steps, c] → [batch, steps·size, c]. `new UpSampling1D({size: 2})` */
export class UpSampling1D extends Layer {
  static override className = 'UpSampling1D';
  readonly size: number;

  constructor(args: UpSampling1DArgs = {}) {
    const { size = 2, ...rest } = args;
    super(rest);
    this.size = positiveInt('UpSampling1D', 'size', size);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const [b, steps, c] = this.computeOutputShape(x.shape) as number[];
    const n = x.shape[1]!;
    return reshape(broadcastTo(reshape(x, [b!, n, 1, c!]), [b!, n, this.size, c!]), [
      b!,
      steps!,
      c!,
    ]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== 3) throw this.shapeError('(None, steps, channels)', shape);
    const steps = shape[1]!;
    return [shape[0]!, steps === null ? null : steps * this.size, shape[2]!];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size };
  }

  /** Rebuilds an `UpSampling1D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): UpSampling1D {
    return new UpSampling1D(config as UpSampling1DArgs);
  }
}

registerLayer(UpSampling1D);
