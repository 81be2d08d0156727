import { add } from '../../ops/add.js';
import { clipByValue } from '../../ops/clip-by-value.js';
import { div } from '../../ops/div.js';
import { exp } from '../../ops/exp.js';
import { log } from '../../ops/log.js';
import { logSoftmax } from '../../ops/log-softmax.js';
import { mul } from '../../ops/mul.js';
import { neg } from '../../ops/neg.js';
import { sigmoid } from '../../ops/sigmoid.js';
import { softmax, softmaxLogits } from '../../ops/softmax.js';
import { softplus } from '../../ops/softplus.js';
import { sub } from '../../ops/sub.js';
import { sum } from '../../ops/sum.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** How a model turns its last axis into a distribution: one softmax, or one sigmoid per unit. */
export type OutputActivation = 'softmax' | 'sigmoid';

/** Keras's backend epsilon, the clip applied when logits must be recovered from probabilities. */
const EPSILON = 1e-7;

/**
 * The logits behind a model output. Logits pass through; probabilities of a softmax output give the
 * logits the softmax op remembers (else log p, equal up to a constant per row, which softmax
 * ignores); sigmoid probabilities give log p − log(1 − p), clipped to [1e-7, 1 − 1e-7].
 */
export function outputLogits(
  output: Tensor,
  activation: OutputActivation,
  isProbabilities: boolean,
): Tensor {
  if (!isProbabilities) return output;
  if (activation === 'softmax')
    return softmaxLogits(output) ?? log(clipByValue(output, EPSILON, 1));
  const p = clipByValue(output, EPSILON, 1 - EPSILON);
  return sub(log(p), log(sub(1, p)));
}

/**
 * The temperature-softened distribution of logits: softmax(z / T) over the last axis, or
 * sigmoid(z / T) per unit. `softTargets(tensor([[2, 0]]), 2, 'softmax')` is [[0.731, 0.269]]
 */
export function softTargets(
  logits: Tensor,
  temperature: number,
  activation: OutputActivation,
): Tensor {
  const z = div(logits, temperature);
  return activation === 'softmax' ? softmax(z) : sigmoid(z);
}

/**
 * Hinton et al.'s distillation term per sample (or per token): T² · KL(p_T ‖ q_T), where
 * p_T and q_T are the teacher's and the student's distributions at temperature T, summed over the
 * last axis; the T² keeps its gradients, T·(q_T − p_T) for softmax, on the scale of the hard-label
 * loss's as T changes. Computed in log space (logSoftmax, softplus), so it is stable for any
 * logits. teacherLogits and studentLogits: the same shape [batch, ..., classes]; the result
 * drops the last axis. The teacher's side is a constant: no gradient reaches it.
 * `softTargetKL(teacherLogits, studentLogits, 4, 'softmax')`
 */
export function softTargetKL(
  teacherLogits: Tensor,
  studentLogits: Tensor,
  temperature: number,
  activation: OutputActivation,
): Tensor {
  if (!shapesEqual(teacherLogits.shape, studentLogits.shape)) {
    throw new RangeError(
      `softTargetKL: teacher logits ${formatShape(teacherLogits.shape)} and student logits ${formatShape(studentLogits.shape)} differ in shape`,
    );
  }
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new RangeError(`softTargetKL: temperature must be a positive number, got ${temperature}`);
  const zt = div(teacherLogits.detach(), temperature);
  const zs = div(studentLogits, temperature);
  let kl: Tensor;
  if (activation === 'softmax') {
    const logP = logSoftmax(zt);
    kl = sum(mul(exp(logP), sub(logP, logSoftmax(zs))), -1);
  } else {
    // log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z).
    const p = sigmoid(zt);
    const positive = mul(p, sub(softplus(neg(zs)), softplus(neg(zt))));
    const negative = mul(sub(1, p), sub(softplus(zs), softplus(zt)));
    kl = sum(add(positive, negative), -1);
  }
  return mul(kl, temperature * temperature);
}
