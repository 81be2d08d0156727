import type { Tensor } from '../../../tensor/tensor.js';
import type { SoftmaxCrossEntropyAttrs } from '../../kernels.js';

/**
 * Row r's log Σ e^x (stable: the maximum, 0 when not finite, is subtracted) and the row's
 * softmax written into p.
 */
function logSumExp(x: ArrayLike<number>, at: number, C: number, p: Float32Array | null): number {
  let max = -Infinity;
  for (let i = 0; i < C; i++) if (x[at + i]! > max) max = x[at + i]!;
  if (!Number.isFinite(max)) max = 0;
  let sum = 0;
  for (let i = 0; i < C; i++) {
    const e = Math.exp(x[at + i]! - max);
    sum += e;
    if (p) p[at + i] = e;
  }
  if (p) for (let i = 0; i < C; i++) p[at + i]! /= sum;
  return max + Math.log(sum);
}

/**
 * Cross-entropy of softmax(logits) against soft or one-hot targets, both [rows, classes]:
 * loss[r] = Σ t (lse - x) and grad[r] = softmax(x) Σ t - t, the loss's gradient by the logits.
 */
export function softmaxCrossEntropyKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: SoftmaxCrossEntropyAttrs,
): void {
  const x = inputs[0]!.data;
  const t = inputs[1]!.data;
  const [loss, grad] = outputs as [Tensor, Tensor];
  const g = grad.data as Float32Array;
  const { rows, classes: C } = attrs;
  for (let r = 0; r < rows; r++) {
    const at = r * C;
    const lse = C === 0 ? 0 : logSumExp(x, at, C, g);
    let tsum = 0;
    let tx = 0;
    for (let i = 0; i < C; i++) {
      tsum += t[at + i]!;
      tx += t[at + i]! * x[at + i]!;
    }
    loss.data[r] = lse * tsum - tx;
    for (let i = 0; i < C; i++) g[at + i] = g[at + i]! * tsum - t[at + i]!;
  }
}

/**
 * The same against int32 labels [rows] in [0, classes), or -1 for an ignored row (loss 0,
 * gradient 0): loss[r] = lse - x[label], grad[r] = softmax(x) - onehot(label).
 */
export function sparseSoftmaxCrossEntropyKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: SoftmaxCrossEntropyAttrs,
): void {
  const x = inputs[0]!.data;
  const labels = inputs[1]!.data;
  const [loss, grad] = outputs as [Tensor, Tensor];
  const g = grad.data as Float32Array;
  const { rows, classes: C } = attrs;
  for (let r = 0; r < rows; r++) {
    const at = r * C;
    const label = labels[r]!;
    if (label < 0 || C === 0) {
      loss.data[r] = 0;
      g.fill(0, at, at + C);
      continue;
    }
    loss.data[r] = logSumExp(x, at, C, g) - x[at + label]!;
    g[at + label]! -= 1;
  }
}
