import { getRng, Rng } from '../../../random/rng.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from '../internal/args.js';

export interface RandomLayerArgs extends LayerArgs {
  /** Seeds the layer's own generator: the sequence of random transforms is reproducible. */
  seed?: number | null;
}

/**
 * The base of the random preprocessing layers: active only when called with training = true
 * (inside `fit`), the identity at inference; a seeded generator per layer (or the global one).
 */
export abstract class RandomLayer extends Layer {
  readonly seed: number | null;
  private readonly ownRng: Rng | null;

  constructor(args: RandomLayerArgs = {}) {
    super(args);
    this.seed = args.seed ?? null;
    if (this.seed !== null && !Number.isInteger(this.seed)) {
      throw new TypeError(
        `${(this.constructor as typeof Layer).className}: seed must be an integer, got ${this.seed}`,
      );
    }
    this.ownRng = this.seed === null ? null : new Rng(this.seed);
    this.trainable = false;
  }

  override ownRandomGenerators(): Rng[] {
    return this.ownRng ? [this.ownRng] : [];
  }

  protected get rng(): Rng {
    return this.ownRng ?? getRng();
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    return args.training ? this.augment(x) : this.infer(x);
  }

  /** The random transform applied in training. */
  protected abstract augment(x: Tensor): Tensor;

  /** What inference does (the identity unless overridden). */
  protected infer(x: Tensor): Tensor {
    return x;
  }

  /** Checks an image batch [batch, height, width, channels] (or one image [h, w, c]). */
  protected checkImages(x: Tensor): void {
    if (x.rank !== 4 && x.rank !== 3) {
      throw new RangeError(
        `${layerLabel(this)}: expected images [batch, height, width, channels], got [${x.shape.join(', ')}]`,
      );
    }
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), seed: this.seed };
  }
}

/** Keras's factor argument: a number f means [-f, f]; a pair is [lower, upper]. */
export function factorRange(
  className: string,
  arg: string,
  f: number | readonly [number, number],
  min = -Infinity,
): [number, number] {
  const [lo, hi] = typeof f === 'number' ? [-Math.abs(f), Math.abs(f)] : [f[0], f[1]];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi || lo < min) {
    throw new RangeError(
      `${className}: ${arg} must be a number or [lower, upper] with lower <= upper${Number.isFinite(min) ? ` and lower >= ${min}` : ''}, got ${JSON.stringify(f)}`,
    );
  }
  return [lo, hi];
}
