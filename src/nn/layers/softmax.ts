import { MASKED_LOGIT } from '../../backends/kernels.js';
import { add, cast, exp, logSumExp, mul, reshape, softmax, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `Softmax` layer. */
export interface SoftmaxArgs extends LayerArgs {
  /** The axis (or axes) normalized over; -1 by default. */
  axis?: number | readonly number[];
}

/**
 * y = exp(x) / sum(exp(x)) along `axis` (several axes: over all of them together). A mask
 * (1 = keep) given in the call sets masked logits to -1e9 and their outputs to 0, as Keras's.
 * `new Softmax({axis: -1})`
 */
export class Softmax extends Layer {
  static override className = 'Softmax';
  readonly axis: number | number[];

  constructor(args: SoftmaxArgs = {}) {
    const { axis = -1, ...rest } = args;
    super(rest);
    const axes = typeof axis === 'number' ? [axis] : [...axis];
    if (axes.length === 0 || axes.some((a) => !Number.isInteger(a)))
      throw new RangeError(
        `Softmax: axis must be an integer or a non-empty list of integers, got ${JSON.stringify(axis)}`,
      );
    this.axis = typeof axis === 'number' ? axis : axes;
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    let x = singleInput(this, inputs);
    const axes = typeof this.axis === 'number' ? [this.axis] : this.axis;
    for (const a of axes)
      if (a < -x.rank || a >= x.rank)
        throw new RangeError(
          `${layerLabel(this)}: axis ${a} is out of range for input [${x.shape.join(', ')}]`,
        );
    // A [batch, steps] mask of a sequence broadcasts over the trailing feature axes.
    const m = args.mask ?? null;
    const mask = m
      ? reshape(cast(m, 'float32'), [...m.shape, ...Array(Math.max(x.rank - m.rank, 0)).fill(1)])
      : null;
    if (mask) x = add(x, mul(sub(1, mask), MASKED_LOGIT));
    const y = axes.length > 1 ? exp(sub(x, logSumExp(x, axes, true))) : softmax(x, axes[0]);
    return mask ? mul(y, mask) : y;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }

  /** Rebuilds a `Softmax` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Softmax {
    return new Softmax(config as SoftmaxArgs);
  }
}

registerLayer(Softmax);
