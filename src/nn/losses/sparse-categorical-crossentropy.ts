import { clipByValue } from '../../ops/clip-by-value.js';
import { div } from '../../ops/div.js';
import { gather } from '../../ops/gather.js';
import { log } from '../../ops/log.js';
import { neg } from '../../ops/neg.js';
import { reshape } from '../../ops/reshape.js';
import { softmaxLogits } from '../../ops/softmax.js';
import { sparseSoftmaxCrossEntropy } from '../../ops/sparse-softmax-cross-entropy.js';
import { sum } from '../../ops/sum.js';
import { where } from '../../ops/where.js';
import { checkDType } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkPrediction, EPSILON } from './checks.js';
import { Loss } from './loss.js';
import { reduceWeighted } from './reduce-weighted.js';

/** Options of `SparseCategoricalCrossentropy`. */
export interface SparseCategoricalCrossentropyArgs {
  /** yPred holds logits (unnormalised scores) rather than probabilities. */
  fromLogits?: boolean;
  /** A label value (e.g. -1 or 255 for padding) that contributes no loss and is not counted. */
  ignoreClass?: number;
  name?: string;
}

/**
 * Cross-entropy of integer class labels: -log p[label], with p = clip(yPred / Σ yPred, 1e-7, 1 - 1e-7)
 * for probabilities or logSoftmax(yPred) for logits. yPred: [..., classes]; yTrue: [...] or [..., 1]
 * holding integers in [0, classes). Only the labelled entries are picked (a gather, no one-hot).
 * Logits, and the output of a softmax over the last axis (its logits are used, as Keras does),
 * go through the fused, unclipped sparseSoftmaxCrossEntropy.
 * `new SparseCategoricalCrossentropy({fromLogits: true}).compute(labels, logits)`
 */
export class SparseCategoricalCrossentropy extends Loss {
  static override className = 'SparseCategoricalCrossentropy';
  readonly fromLogits: boolean;
  readonly ignoreClass: number | undefined;

  constructor(args: SparseCategoricalCrossentropyArgs = {}) {
    super(args.name ?? 'sparse_categorical_crossentropy');
    this.fromLogits = args.fromLogits ?? false;
    this.ignoreClass = args.ignoreClass;
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return this.perSample(yTrue, yPred).losses;
  }

  /** With ignoreClass, the mean is over the labels that are not ignored (as Keras's mask does). */
  override compute(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor {
    const { losses, valid } = this.perSample(yTrue, yPred);
    return reduceWeighted(this.name, losses, sampleWeight, valid);
  }

  private perSample(yTrue: Tensor, yPred: Tensor): { losses: Tensor; valid: number } {
    checkPrediction(this.name, yPred);
    checkDType(this.name, 'yTrue', yTrue.dtype, ['int32', 'float32']);
    if (yPred.rank === 0)
      throw new RangeError(`${this.name}: yPred must have a class axis, got a scalar`);
    const classes = yPred.shape[yPred.rank - 1]!;
    const outer = yPred.shape.slice(0, -1);
    const rows = yPred.size / Math.max(classes, 1);
    const labelsOk =
      yTrue.size === rows &&
      (yTrue.rank === outer.length ||
        (yTrue.rank === outer.length + 1 && yTrue.shape.at(-1) === 1)) &&
      outer.every((d, i) => d === yTrue.shape[i]);
    if (!labelsOk) {
      throw new RangeError(
        `${this.name}: yTrue shape ${formatShape(yTrue.shape)} does not match yPred shape ${formatShape(yPred.shape)}: expected integer labels of shape ${formatShape(outer)}; for one-hot labels use categorical_crossentropy`,
      );
    }
    // Flat indices row · classes + label into yPred, and a 0/1 mask for ignored labels.
    const labels = yTrue.data;
    const index = new Int32Array(rows);
    const mask = this.ignoreClass === undefined ? null : new Uint8Array(rows);
    let valid = rows;
    for (let r = 0; r < rows; r++) {
      const label = labels[r]!;
      if (mask !== null && label === this.ignoreClass) {
        valid--;
        index[r] = r * classes;
        continue;
      }
      if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
        throw new RangeError(
          `${this.name}: label ${label} at index ${r} is out of range [0, ${classes}) for yPred shape ${formatShape(yPred.shape)}`,
        );
      }
      if (mask !== null) mask[r] = 1;
      index[r] = r * classes + label;
    }
    // Logits (given, or behind a softmax output as Keras finds them) take the fused, stable
    // softmax cross-entropy; ignored labels become -1, which it skips.
    const logits = this.fromLogits ? yPred : softmaxLogits(yPred);
    if (logits) {
      const fused = new Int32Array(rows);
      for (let r = 0; r < rows; r++) fused[r] = mask && !mask[r] ? -1 : index[r]! - r * classes;
      return {
        losses: sparseSoftmaxCrossEntropy(logits, new Tensor(fused, outer, 'int32')),
        valid,
      };
    }
    const indices = new Tensor(index, outer, 'int32');
    // Only the labelled probabilities are normalised, clipped and logged: [...] values, not [..., classes].
    const picked = gather(reshape(yPred, [-1]), indices);
    const p = clipByValue(div(picked, sum(yPred, -1)), EPSILON, 1 - EPSILON);
    let losses = neg(log(p));
    if (mask !== null) losses = where(new Tensor(mask, outer, 'bool'), losses, 0);
    return { losses, valid };
  }

  /**
   * The options that rebuild this `SparseCategoricalCrossentropy` with `fromConfig` (what
   * serialization saves).
   */
  getConfig(): Record<string, unknown> {
    return { name: this.name, fromLogits: this.fromLogits, ignoreClass: this.ignoreClass };
  }
}
