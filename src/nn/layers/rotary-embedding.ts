import { add, concat, mul, neg, slice } from '../../ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the rotary position embedding applied to queries and keys. */
export interface RotaryOptions {
  maxWavelength?: number;
  scalingFactor?: number;
  /** Position of the first step (the length of a key/value cache). */
  startIndex?: number;
}

/**
 * Rotary position embedding (RoPE, Su et al.) of x [batch, steps, ..., D] (D even), keras_hub's
 * convention: the feature axis is split in halves (x1, x2) and
 * y = x · cos(θ) + concat(-x2, x1) · sin(θ), θ[t, i] = (start + t) / scalingFactor · maxWavelength^(-2i/D).
 */
export function applyRotaryEmbedding(x: Tensor, options: RotaryOptions = {}): Tensor {
  const { maxWavelength = 10000, scalingFactor = 1, startIndex = 0 } = options;
  const D = x.shape.at(-1)!;
  const T = x.shape[1]!;
  if (x.rank < 3 || D % 2 !== 0)
    throw new RangeError(
      `rotaryEmbedding: expected x [batch, steps, ..., features] with an even number of features, got [${x.shape.join(', ')}]`,
    );
  const half = D / 2;
  const cos = new Float32Array(T * D);
  const sin = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    const pos = (startIndex + t) / scalingFactor;
    for (let i = 0; i < half; i++) {
      const angle = pos / maxWavelength ** ((2 * i) / D);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * D + i] = c;
      cos[t * D + half + i] = c;
      sin[t * D + i] = s;
      sin[t * D + half + i] = s;
    }
  }
  const tableShape = [T, ...new Array<number>(x.rank - 3).fill(1), D];
  const x1 = slice(
    x,
    [...new Array<number>(x.rank - 1).fill(0), 0],
    [...x.shape.slice(0, -1), half],
  );
  const x2 = slice(
    x,
    [...new Array<number>(x.rank - 1).fill(0), half],
    [...x.shape.slice(0, -1), half],
  );
  const rotated = concat([neg(x2), x1], x.rank - 1);
  return add(
    mul(x, new Tensor(cos, tableShape, 'float32')),
    mul(rotated, new Tensor(sin, tableShape, 'float32')),
  );
}

/** Options of the `RotaryEmbedding` layer. */
export interface RotaryEmbeddingArgs extends LayerArgs {
  maxWavelength?: number;
  scalingFactor?: number;
}

/**
 * Applies rotary position embeddings to queries or keys [batch, steps, (heads,) features]; call with
 * `{startIndex}` for the positions after a cache. No weights. `new RotaryEmbedding().apply(q)`
 */
export class RotaryEmbedding extends Layer {
  static override className = 'RotaryEmbedding';
  readonly maxWavelength: number;
  readonly scalingFactor: number;

  constructor(args: RotaryEmbeddingArgs = {}) {
    super(args);
    this.maxWavelength = args.maxWavelength ?? 10000;
    this.scalingFactor = args.scalingFactor ?? 1;
    if (!(this.maxWavelength > 0) || !(this.scalingFactor > 0))
      throw new RangeError(
        `RotaryEmbedding: maxWavelength and scalingFactor must be > 0, got ${this.maxWavelength} and ${this.scalingFactor}`,
      );
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    if (x.rank < 3 || x.shape.at(-1)! % 2 !== 0)
      throw this.shapeError(
        '(batch, steps, ..., features) with an even number of features',
        x.shape,
      );
    const startIndex = (args['startIndex'] as number | undefined) ?? 0;
    if (!Number.isInteger(startIndex) || startIndex < 0)
      throw new RangeError(
        `${layerLabel(this)}: startIndex must be a non-negative integer, got ${startIndex}`,
      );
    return applyRotaryEmbedding(x, {
      maxWavelength: this.maxWavelength,
      scalingFactor: this.scalingFactor,
      startIndex,
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      maxWavelength: this.maxWavelength,
      scalingFactor: this.scalingFactor,
    };
  }

  /** Rebuilds a `RotaryEmbedding` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RotaryEmbedding {
    return new RotaryEmbedding(config as RotaryEmbeddingArgs);
  }
}

registerLayer(RotaryEmbedding);
