import { transpose } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/**
 * Permutes the non-batch axes: `dims` lists them 1-indexed in their new order (Keras's Permute).
 * `new Permute([2, 1])` turns [batch, steps, features] into [batch, features, steps].
 */
export class Permute extends Layer {
  static override className = 'Permute';
  readonly dims: number[];

  constructor(dims: readonly number[], args: LayerArgs = {}) {
    super(args);
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : [];
    if (sorted.length === 0 || sorted.some((d, i) => d !== i + 1)) {
      throw new RangeError(
        `Permute: dims must be a permutation of 1..n, got ${JSON.stringify(dims)}`,
      );
    }
    this.dims = [...dims];
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.check(x.shape);
    return transpose(x, [0, ...this.dims]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    this.check(shape);
    return [shape[0]!, ...this.dims.map((d) => shape[d]!)];
  }

  private check(shape: SymbolicShape): void {
    if (shape.length !== this.dims.length + 1) {
      throw new RangeError(
        `${layerLabel(this)}: dims ${JSON.stringify(this.dims)} need inputs of rank ${this.dims.length + 1}, got rank ${shape.length}`,
      );
    }
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: this.dims };
  }

  /** Rebuilds a `Permute` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Permute {
    const { dims, ...rest } = config;
    return new Permute(dims as number[], rest as LayerArgs);
  }
}

registerLayer(Permute);
