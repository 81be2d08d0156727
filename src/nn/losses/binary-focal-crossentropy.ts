import { add } from '../../ops/add.js';
import { clipByValue } from '../../ops/clip-by-value.js';
import { log } from '../../ops/log.js';
import { mean } from '../../ops/mean.js';
import { mul } from '../../ops/mul.js';
import { neg } from '../../ops/neg.js';
import { pow } from '../../ops/pow.js';
import { sigmoid } from '../../ops/sigmoid.js';
import { sub } from '../../ops/sub.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { EPSILON, matchShapes } from './checks.js';
import { Loss } from './loss.js';

/** Options of `BinaryFocalCrossentropy` (Keras's names and defaults). */
export interface BinaryFocalCrossentropyArgs {
  /** Weigh positives by alpha and negatives by 1 - alpha. */
  applyClassBalancing?: boolean;
  /** The positive class's weight when applyClassBalancing. */
  alpha?: number;
  /** The focusing exponent: (1 - p_t)^gamma; 0 gives plain binary crossentropy. */
  gamma?: number;
  /** yPred holds logits; a sigmoid is applied first. */
  fromLogits?: boolean;
  /** In [0, 1]: targets become yTrue · (1 - s) + 0.5 · s. */
  labelSmoothing?: number;
  /** The axis the per-entry losses are averaged over. */
  axis?: number;
  name?: string;
}

/**
 * Focal binary crossentropy (Lin et al. 2017) as Keras computes it: with p = yPred (after a
 * sigmoid for logits) and p_t = y p + (1 - y)(1 - p), loss = mean over `axis` of
 * [y α + (1 - y)(1 - α)]? · (1 - p_t)^γ · BCE(y, clip(p, 1e-7, 1 - 1e-7)).
 * yTrue and yPred: [batch, k] (or [batch] against [batch, 1]); per-sample losses [batch].
 * `new BinaryFocalCrossentropy({gamma: 2, applyClassBalancing: true})`
 */
export class BinaryFocalCrossentropy extends Loss {
  static override className = 'BinaryFocalCrossentropy';
  readonly applyClassBalancing: boolean;
  readonly alpha: number;
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(args: BinaryFocalCrossentropyArgs = {}) {
    super(args.name ?? 'binary_focal_crossentropy');
    this.applyClassBalancing = args.applyClassBalancing ?? false;
    this.alpha = args.alpha ?? 0.25;
    this.gamma = args.gamma ?? 2;
    this.fromLogits = args.fromLogits ?? false;
    this.labelSmoothing = args.labelSmoothing ?? 0;
    this.axis = args.axis ?? -1;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1))
      throw new RangeError(
        `BinaryFocalCrossentropy: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`,
      );
    if (!(this.gamma >= 0))
      throw new RangeError(`BinaryFocalCrossentropy: gamma must be >= 0, got ${this.gamma}`);
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    let [t, p] = matchShapes(this.name, yTrue, yPred);
    if (this.labelSmoothing > 0)
      t = add(mul(t, 1 - this.labelSmoothing), 0.5 * this.labelSmoothing);
    if (this.fromLogits) p = sigmoid(p);
    const clipped = clipByValue(p, EPSILON, 1 - EPSILON);
    const bce = neg(add(mul(t, log(clipped)), mul(sub(1, t), log(sub(1, clipped)))));
    const pT = add(mul(t, p), mul(sub(1, t), sub(1, p)));
    let focal = mul(pow(sub(1, pT), this.gamma), bce);
    if (this.applyClassBalancing)
      focal = mul(add(mul(t, this.alpha), mul(sub(1, t), 1 - this.alpha)), focal);
    if (focal.rank <= 1) return focal;
    return mean(focal, normalizeAxis(this.name, this.axis, focal.rank));
  }

  /**
   * The options that rebuild this `BinaryFocalCrossentropy` with `fromConfig` (what serialization
   * saves).
   */
  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      applyClassBalancing: this.applyClassBalancing,
      alpha: this.alpha,
      gamma: this.gamma,
      fromLogits: this.fromLogits,
      labelSmoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}
