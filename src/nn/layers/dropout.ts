import { dropout } from '../../ops/index.js';
import { Rng } from '../../random/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

export interface DropoutArgs extends LayerArgs {
  /**
   * Shape of the keep mask, broadcast over the input (null = the input's size there):
   * `[null, 1, null]` drops the same features at every time step.
   */
  noiseShape?: readonly (number | null)[] | null;
  /** Seeds the layer's own generator, so its sequence of masks is reproducible. */
  seed?: number | null;
}

/**
 * Inverted dropout, in training only: each element is zeroed with probability `rate` and the rest
 * are scaled by 1 / (1 - rate); at inference the input passes unchanged. `new Dropout(0.5)`
 */
export class Dropout extends Layer {
  static override className = 'Dropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  private readonly rng: Rng | undefined;

  constructor(rate: number, args: DropoutArgs = {}) {
    super(args);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
      throw new RangeError(`Dropout: rate must be a number in [0, 1), got ${String(rate)}`);
    this.rate = rate;
    this.noiseShape = args.noiseShape ? [...args.noiseShape] : null;
    this.seed = args.seed ?? null;
    if (this.seed !== null && !Number.isInteger(this.seed))
      throw new TypeError(`Dropout: seed must be an integer, got ${this.seed}`);
    this.rng = this.seed === null ? undefined : new Rng(this.seed);
    this.supportsMasking = true;
  }

  override ownRandomGenerators(): Rng[] {
    return this.rng ? [this.rng] : [];
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    if (!args.training || this.rate === 0) return x;
    if (this.noiseShape && this.noiseShape.length !== x.rank) {
      throw new RangeError(
        `${layerLabel(this)}: noiseShape ${JSON.stringify(this.noiseShape)} has rank ${this.noiseShape.length}, the input [${x.shape.join(', ')}] rank ${x.rank}`,
      );
    }
    return dropout(x, this.rate, { noiseShape: this.noiseShape ?? undefined, rng: this.rng });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed };
  }

  static fromConfig(config: Record<string, unknown>): Dropout {
    const { rate, ...args } = config;
    return new Dropout(rate as number, args as DropoutArgs);
  }
}

registerLayer(Dropout);
