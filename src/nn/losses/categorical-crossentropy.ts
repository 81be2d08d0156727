import { add } from '../../ops/add.js';
import { cast } from '../../ops/cast.js';
import { clipByValue } from '../../ops/clip-by-value.js';
import { div } from '../../ops/div.js';
import { log } from '../../ops/log.js';
import { logSoftmax } from '../../ops/log-softmax.js';
import { mul } from '../../ops/mul.js';
import { neg } from '../../ops/neg.js';
import { softmaxLogits } from '../../ops/softmax.js';
import { softmaxCrossEntropy } from '../../ops/softmax-cross-entropy.js';
import { sum } from '../../ops/sum.js';
import { checkDType } from '../../tensor/dtype.js';
import { formatShape, normalizeAxis, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkPrediction, EPSILON } from './checks.js';
import { Loss } from './loss.js';

/** Options of `CategoricalCrossentropy`. */
export interface CategoricalCrossentropyArgs {
  /** yPred holds logits (unnormalised scores) rather than probabilities. */
  fromLogits?: boolean;
  /** In [0, 1]: targets become yTrue · (1 - s) + s / classes. */
  labelSmoothing?: number;
  /** The class axis. */
  axis?: number;
  name?: string;
}

/**
 * Cross-entropy of one-hot (or soft) targets: -Σ yTrue · log(p) over the class axis, with
 * p = clip(yPred / Σ yPred, 1e-7, 1 - 1e-7) for probabilities or logSoftmax(yPred) for logits.
 * Logits on the last axis, and the output of a softmax over the last axis (its logits are used, as
 * Keras does), go through the fused, unclipped softmaxCrossEntropy.
 * yTrue and yPred: [batch, classes] (any rank, same shape); per-sample losses: the class axis removed.
 * `new CategoricalCrossentropy({fromLogits: true}).compute(oneHotLabels, logits)`
 */
export class CategoricalCrossentropy extends Loss {
  static override className = 'CategoricalCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: CategoricalCrossentropyArgs = {}) {
    super(args.name ?? 'categorical_crossentropy');
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = args.labelSmoothing ?? 0;
    this.axis = args.axis ?? -1;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1))
      throw new RangeError(
        `CategoricalCrossentropy: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`,
      );
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    checkPrediction(this.name, yPred);
    checkDType(this.name, 'yTrue', yTrue.dtype, ['float32', 'int32', 'bool']);
    if (!shapesEqual(yTrue.shape, yPred.shape)) {
      throw new RangeError(
        `${this.name}: yTrue shape ${formatShape(yTrue.shape)} does not match yPred shape ${formatShape(yPred.shape)}; for integer class labels use sparse_categorical_crossentropy`,
      );
    }
    if (yPred.rank === 0)
      throw new RangeError(`${this.name}: yPred must have a class axis, got a scalar`);
    const axis = normalizeAxis(this.name, this.axis, yPred.rank);
    let t = cast(yTrue, 'float32');
    if (this.labelSmoothing > 0) {
      const s = this.labelSmoothing;
      t = add(mul(t, 1 - s), s / yPred.shape[axis]!);
    }
    // Logits over the last axis (given, or behind a softmax output as Keras finds them) take the
    // fused, stable softmax cross-entropy.
    const logits = this.fromLogits ? yPred : softmaxLogits(yPred);
    if (logits && axis === yPred.rank - 1) return softmaxCrossEntropy(logits, t);
    const logP = this.fromLogits
      ? logSoftmax(yPred, axis)
      : log(clipByValue(div(yPred, sum(yPred, axis, true)), EPSILON, 1 - EPSILON));
    return neg(sum(mul(t, logP), axis));
  }

  /**
   * The options that rebuild this `CategoricalCrossentropy` with `fromConfig` (what serialization
   * saves).
   */
  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      fromLogits: this.fromLogits,
      labelSmoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}
