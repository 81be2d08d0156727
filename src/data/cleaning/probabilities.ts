import type { Tensor } from '../../tensor/tensor.js';

/** Out-of-fold probabilities checked against their labels: sample count, classes, labels. */
export interface CheckedProbabilities {
  n: number;
  k: number;
  labels: Int32Array;
}

/**
 * Checks what confident learning reads: `probs` [samples, classes] with finite entries in [0, 1]
 * whose rows sum to 1 (within `tolerance`), and one integer label in [0, classes) per row.
 * Throws an error that names the op, the argument and the shapes.
 */
export function checkProbabilities(
  op: string,
  probs: Tensor,
  labels: ArrayLike<number>,
  tolerance = 1e-3,
): CheckedProbabilities {
  const shape = `[${probs.shape.join(', ')}]`;
  if (probs.rank !== 2)
    throw new RangeError(`${op}: probs must be [samples, classes], got ${shape}`);
  const [n, k] = probs.shape as [number, number];
  if (labels.length !== n)
    throw new RangeError(
      `${op}: probs ${shape} has ${n} rows of probabilities but labels [${labels.length}] has ${labels.length} labels`,
    );
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= k)
      throw new RangeError(
        `${op}: labels[${i}] is ${l}; expected an integer class in [0, ${k}) for probs ${shape}`,
      );
    out[i] = l;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = probs.data[i * k + j]!;
      if (!(v >= 0 && v <= 1))
        throw new RangeError(`${op}: probs[${i}, ${j}] is ${v}; probabilities must lie in [0, 1]`);
      sum += v;
    }
    if (Math.abs(sum - 1) > tolerance)
      throw new RangeError(
        `${op}: row ${i} of probs ${shape} sums to ${sum.toPrecision(6)}, not 1 (tolerance ${tolerance}); pass softmax outputs, not logits`,
      );
  }
  return { n, k, labels: out };
}
