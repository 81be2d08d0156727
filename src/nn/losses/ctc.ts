import { cast } from '../../ops/cast.js';
import { clipByValue } from '../../ops/clip-by-value.js';
import { ctcLoss } from '../../ops/ctc-loss.js';
import { log } from '../../ops/log.js';
import { checkDType } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkPrediction, EPSILON } from './checks.js';
import { Loss } from './loss.js';

/** Options of `CTC`. */
export interface CTCArgs {
  /**
   * yPred holds logits (Keras 3's CTC: a softmax is applied inside); false: probabilities, whose
   * log (clipped at 1e-7) is used, as Keras 2's ctc_batch_cost did.
   */
  fromLogits?: boolean;
  name?: string;
}

/**
 * Connectionist temporal classification loss with Keras 3's conventions: class 0 is the blank and
 * also the padding of yTrue, so each label row is its nonzero entries (padding only at the end);
 * every sample uses all its time steps. yTrue: [batch, maxLabelLength] integer labels in
 * [1, classes); yPred: [batch, time, classes] logits (or probabilities with fromLogits false);
 * per-sample losses [batch] (+Infinity where the labels cannot fit the time steps).
 * `new CTC().compute(tensor([[1, 2, 0]], [1, 3], 'int32'), logits)`
 */
export class CTC extends Loss {
  static override className = 'CTC';
  readonly fromLogits: boolean;

  constructor(args: CTCArgs = {}) {
    super(args.name ?? 'ctc');
    this.fromLogits = args.fromLogits ?? true;
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    checkPrediction(this.name, yPred);
    checkDType(this.name, 'yTrue', yTrue.dtype, ['float32', 'int32']);
    if (yTrue.rank !== 2 || yPred.rank !== 3 || yTrue.shape[0] !== yPred.shape[0])
      throw new RangeError(
        `${this.name}: expected yTrue [batch, maxLabelLength] and yPred [batch, time, classes], got yTrue ${formatShape(yTrue.shape)} and yPred ${formatShape(yPred.shape)}`,
      );
    const labels = yTrue.dtype === 'int32' ? yTrue : cast(yTrue, 'int32');
    const [B, L] = yTrue.shape as [number, number];
    const labelLengths: number[] = [];
    for (let b = 0; b < B; b++) {
      let n = 0;
      for (let i = 0; i < L; i++) {
        const v = labels.data[b * L + i]!;
        if (v === 0) continue;
        if (n !== i)
          throw new RangeError(
            `${this.name}: yTrue row ${b} has label ${v} after the padding 0 at position ${n}; 0 is the blank and may only pad the end`,
          );
        n++;
      }
      labelLengths.push(n);
    }
    const logits = this.fromLogits ? yPred : log(clipByValue(yPred, EPSILON, 1));
    return ctcLoss(logits, labels, { blankIndex: 0, labelLengths });
  }

  /** The options that rebuild this `CTC` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, fromLogits: this.fromLogits };
  }
}
