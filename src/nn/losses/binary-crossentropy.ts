import { add } from '../../ops/add.js';
import { clipByValue } from '../../ops/clip-by-value.js';
import { log } from '../../ops/log.js';
import { mul } from '../../ops/mul.js';
import { neg } from '../../ops/neg.js';
import { sigmoidLogits } from '../../ops/sigmoid.js';
import { softplus } from '../../ops/softplus.js';
import { sub } from '../../ops/sub.js';
import type { Tensor } from '../../tensor/tensor.js';
import { EPSILON, matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/** Options of `BinaryCrossentropy`. */
export interface BinaryCrossentropyArgs {
  /** yPred holds logits rather than probabilities. */
  fromLogits?: boolean;
  /** In [0, 1]: targets become yTrue · (1 - s) + 0.5 · s. */
  labelSmoothing?: number;
  name?: string;
}

/**
 * -(y log p + (1 - y) log(1 - p)) with p = clip(yPred, 1e-7, 1 - 1e-7), or for logits the stable
 * softplus(x) - y · x; averaged over the last axis. The output of a sigmoid (a sigmoid activation,
 * fused in Dense or Conv2D or not) takes the logits route with the logits it came from, as the
 * categorical losses do behind a softmax. yTrue and yPred: [batch, k] (or [batch] against
 * [batch, 1]). `new BinaryCrossentropy().compute(labels, sigmoidOutputs)`
 */
export class BinaryCrossentropy extends Loss {
  static override className = 'BinaryCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;

  constructor(args: BinaryCrossentropyArgs = {}) {
    super(args.name ?? 'binary_crossentropy');
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = args.labelSmoothing ?? 0;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1))
      throw new RangeError(
        `BinaryCrossentropy: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`,
      );
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const logits = this.fromLogits ? yPred : sigmoidLogits(yPred);
    let [t, p] = matchShapes(this.name, yTrue, logits ?? yPred);
    if (this.labelSmoothing > 0) {
      const s = this.labelSmoothing;
      t = add(mul(t, 1 - s), 0.5 * s);
    }
    let values: Tensor;
    if (logits) {
      // softplus(x) - y·x = max(x, 0) - y·x + log(1 + e^-|x|): finite for any finite logit.
      values = sub(softplus(p), mul(t, p));
    } else {
      p = clipByValue(p, EPSILON, 1 - EPSILON);
      values = neg(add(mul(t, log(p)), mul(sub(1, t), log(sub(1, p)))));
    }
    return meanOverLastAxis(values);
  }

  /**
   * The options that rebuild this `BinaryCrossentropy` with `fromConfig` (what serialization
   * saves).
   */
  getConfig(): Record<string, unknown> {
    return { name: this.name, fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}
