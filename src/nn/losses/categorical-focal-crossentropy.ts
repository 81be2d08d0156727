import { add } from '../../ops/add.js';
import { cast } from '../../ops/cast.js';
import { clipByValue } from '../../ops/clip-by-value.js';
import { div } from '../../ops/div.js';
import { log } from '../../ops/log.js';
import { mul } from '../../ops/mul.js';
import { neg } from '../../ops/neg.js';
import { pow } from '../../ops/pow.js';
import { reshape } from '../../ops/reshape.js';
import { softmax } from '../../ops/softmax.js';
import { sub } from '../../ops/sub.js';
import { sum } from '../../ops/sum.js';
import { tensor } from '../../tensor/create.js';
import { checkDType } from '../../tensor/dtype.js';
import { formatShape, normalizeAxis, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkPrediction, EPSILON } from './checks.js';
import { Loss } from './loss.js';

/** Options of `CategoricalFocalCrossentropy` (Keras's names and defaults). */
export interface CategoricalFocalCrossentropyArgs {
  /** A weight for every class (one number, or one per class). */
  alpha?: number | number[];
  /** The focusing exponent: (1 - p)^gamma; 0 gives alpha-weighted categorical crossentropy. */
  gamma?: number;
  /** yPred holds logits; a softmax over `axis` is applied first. */
  fromLogits?: boolean;
  /** In [0, 1]: targets become yTrue · (1 - s) + s / classes. */
  labelSmoothing?: number;
  /** The class axis. */
  axis?: number;
  name?: string;
}

/**
 * Focal categorical crossentropy (Lin et al. 2017) as Keras computes it: with
 * p = clip(yPred / Σ yPred, 1e-7, 1 - 1e-7) (after a softmax for logits),
 * loss = -Σ_classes α (1 - p)^γ · yTrue · log p. yTrue and yPred: [batch, classes] (any rank, same
 * shape); per-sample losses: the class axis removed.
 * `new CategoricalFocalCrossentropy({alpha: 0.25, gamma: 2})`
 */
export class CategoricalFocalCrossentropy extends Loss {
  static override className = 'CategoricalFocalCrossentropy';
  readonly alpha: number | number[];
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: CategoricalFocalCrossentropyArgs = {}) {
    super(args.name ?? 'categorical_focal_crossentropy');
    this.alpha = args.alpha ?? 0.25;
    this.gamma = args.gamma ?? 2;
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = args.labelSmoothing ?? 0;
    this.axis = args.axis ?? -1;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1))
      throw new RangeError(
        `CategoricalFocalCrossentropy: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`,
      );
    if (!(this.gamma >= 0))
      throw new RangeError(`CategoricalFocalCrossentropy: gamma must be >= 0, got ${this.gamma}`);
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    checkPrediction(this.name, yPred);
    checkDType(this.name, 'yTrue', yTrue.dtype, ['float32', 'int32', 'bool']);
    if (!shapesEqual(yTrue.shape, yPred.shape) || yPred.rank === 0)
      throw new RangeError(
        `${this.name}: yTrue shape ${formatShape(yTrue.shape)} does not match yPred shape ${formatShape(yPred.shape)} (expected one-hot targets [batch, classes])`,
      );
    const axis = normalizeAxis(this.name, this.axis, yPred.rank);
    const classes = yPred.shape[axis]!;
    let t = cast(yTrue, 'float32');
    if (this.labelSmoothing > 0)
      t = add(mul(t, 1 - this.labelSmoothing), this.labelSmoothing / classes);
    const probs = this.fromLogits ? softmax(yPred, axis) : yPred;
    const p = clipByValue(div(probs, sum(probs, axis, true)), EPSILON, 1 - EPSILON);
    let weighted = mul(pow(sub(1, p), this.gamma), neg(mul(t, log(p))));
    if (Array.isArray(this.alpha)) {
      if (this.alpha.length !== classes)
        throw new RangeError(
          `${this.name}: alpha has ${this.alpha.length} weights but yPred ${formatShape(yPred.shape)} has ${classes} classes on axis ${this.axis}`,
        );
      const shape = yPred.shape.map((d, i) => (i === axis ? d : 1));
      weighted = mul(weighted, reshape(tensor(this.alpha), shape));
    } else weighted = mul(weighted, this.alpha);
    return sum(weighted, axis);
  }

  /**
   * The options that rebuild this `CategoricalFocalCrossentropy` with `fromConfig` (what
   * serialization saves).
   */
  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      alpha: this.alpha,
      gamma: this.gamma,
      fromLogits: this.fromLogits,
      labelSmoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}
