import type { Tensor } from '../../../tensor/tensor.js';
import type { SgdUpdateAttrs } from '../../kernels.js';

/**
 * Keras's SGD step, in place. inputs: [grad]; outputs: [variable, momentum slot (if momentum > 0)].
 * m = momentum · m - lr · g; w += m (nesterov: w += momentum · m - lr · g); without momentum w -= lr · g.
 */
export function sgdUpdateKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: SgdUpdateAttrs,
): void {
  const g = inputs[0]!.data;
  const w = outputs[0]!.data;
  const { learningRate: lr, momentum: mu, nesterov, decay } = attrs;
  const n = w.length;
  if (mu === 0) {
    for (let i = 0; i < n; i++) {
      const wi = decay !== 0 ? w[i]! - w[i]! * decay : w[i]!;
      w[i] = wi - lr * g[i]!;
    }
    return;
  }
  const m = outputs[1]!.data;
  for (let i = 0; i < n; i++) {
    const wi = decay !== 0 ? w[i]! - w[i]! * decay : w[i]!;
    const step = -g[i]! * lr;
    const mi = step + m[i]! * mu;
    m[i] = mi;
    w[i] = nesterov ? wi + step + mi * mu : wi + mi;
  }
}
