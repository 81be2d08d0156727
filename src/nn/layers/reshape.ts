import { reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/**
 * Reshapes each sample to `targetShape` (the batch axis is kept); one entry may be -1 and is
 * inferred. `new Reshape([28, 28, 1])`
 */
export class Reshape extends Layer {
  static override className = 'Reshape';
  readonly targetShape: number[];

  constructor(targetShape: readonly number[], args: LayerArgs = {}) {
    super(args);
    if (
      !Array.isArray(targetShape) ||
      targetShape.some((d) => !Number.isInteger(d) || d < -1 || d === 0) ||
      targetShape.filter((d) => d === -1).length > 1
    ) {
      throw new RangeError(
        `Reshape: targetShape must be a list of positive integers with at most one -1, got ${JSON.stringify(targetShape)}`,
      );
    }
    this.targetShape = [...targetShape];
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const out = this.computeOutputShape(x.shape) as number[];
    return reshape(x, out);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length < 1) throw this.shapeError('(None, ...)', shape);
    const rest = shape.slice(1);
    const target = this.targetShape;
    const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (rest.some((d) => d === null)) {
      if (target.includes(-1)) return [shape[0]!, ...target.map((d) => (d === -1 ? null : d))];
      return [shape[0]!, ...target];
    }
    const size = (rest as number[]).reduce((a, b) => a * b, 1);
    const inferred = size / known;
    if (target.includes(-1) ? !Number.isInteger(inferred) : size !== known) {
      throw new RangeError(
        `${layerLabel(this)}: cannot reshape input ${formatSymbolicShape(shape)} (${size} values per sample) to targetShape ${formatSymbolicShape(target)}`,
      );
    }
    return [shape[0]!, ...target.map((d) => (d === -1 ? inferred : d))];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: this.targetShape };
  }

  /** Rebuilds a `Reshape` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Reshape {
    const { targetShape, ...args } = config;
    return new Reshape(targetShape as number[], args as LayerArgs);
  }
}

registerLayer(Reshape);
