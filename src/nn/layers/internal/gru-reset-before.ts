import {
  add,
  cast,
  matMul,
  mul,
  reshape,
  slice,
  split,
  stack,
  sub,
  where,
} from '../../../ops/index.js';
import { zeros } from '../../../tensor/create.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { ActivationFn } from '../../activations/activations.js';

export interface ResetBeforeArgs {
  initialH: Tensor | null;
  mask: Tensor | null;
  recurrentMask: Tensor | null;
  goBackwards: boolean;
  activation: ActivationFn;
  recurrentActivation: ActivationFn;
}

/**
 * GRU with Keras's resetAfter=false (the original Cho et al. form, bias [3u]): the reset gate
 * scales h before the recurrent product, hh = tanh(xh + (r·h)·recurrentKernel_h). There is no
 * fused kernel for it, so it runs step by step with public ops (slower, exact gradients).
 */
export function gruResetBefore(
  x: Tensor,
  kernel: Tensor,
  recurrentKernel: Tensor,
  bias: Tensor | null,
  a: ResetBeforeArgs,
): { sequences: Tensor; lastH: Tensor } {
  const [batch, steps, inDim] = x.shape as [number, number, number];
  const units = recurrentKernel.shape[0]!;
  let proj = reshape(matMul(reshape(x, [batch * steps, inDim]), kernel), [batch, steps, 3 * units]);
  if (bias) proj = add(proj, bias);
  const [rkZR, rkH] = split(recurrentKernel, [2 * units, units], 1);
  let h = a.initialH ?? zeros([batch, units]);
  const zero = zeros([batch, units]);
  const outputs: Tensor[] = [];
  for (let s = 0; s < steps; s++) {
    const t = a.goBackwards ? steps - 1 - s : s;
    const p = reshape(slice(proj, [0, t, 0], [batch, 1, 3 * units]), [batch, 3 * units]);
    const [pz, pr, ph] = split(p, 3, 1);
    const hm = a.recurrentMask ? mul(h, a.recurrentMask) : h;
    const [rz, rr] = split(matMul(hm, rkZR!), 2, 1);
    const z = a.recurrentActivation(add(pz!, rz!));
    const r = a.recurrentActivation(add(pr!, rr!));
    const hh = a.activation(add(ph!, matMul(mul(r, hm), rkH!)));
    let next = add(mul(z, h), mul(sub(1, z), hh));
    let out = next;
    if (a.mask) {
      const m = cast(reshape(slice(a.mask, [0, t], [batch, 1]), [batch, 1]), 'bool');
      out = where(m, next, zero);
      next = where(m, next, h);
    }
    outputs.push(out);
    h = next;
  }
  const sequences = steps > 0 ? stack(outputs, 1) : zeros([batch, 0, units]);
  return { sequences, lastH: h };
}
