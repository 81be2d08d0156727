import { isGradEnabled, noGrad, record } from '../../autograd/tape.js';
import { runKernel } from '../../backends/index.js';
import { type AttentionAttrs, MASKED_LOGIT } from '../../backends/kernels.js';
import { sizeOf } from '../../tensor/shape.js';
import { emptyTensor, Tensor, uninitializedTensor } from '../../tensor/tensor.js';
import { add } from '../add.js';
import { broadcastTo } from '../broadcast-to.js';
import { matMul } from '../matmul.js';
import { mul } from '../mul.js';
import { reshape } from '../reshape.js';
import { softmax } from '../softmax.js';
import { sub } from '../sub.js';
import { sum } from '../sum.js';
import { transpose } from '../transpose.js';

/**
 * Attention through the fused kernels: q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] with the
 * same leading axes ('BHTD'; with 'BTHD' q is [..., Tq, H, D] and so on, the heads after the
 * steps), an optional constant float bias broadcastable to the logits [..., (H,) Tq, Tk] (the
 * mask already folded in as MASKED_LOGIT), and the causal flag. Saves only the row log-sum-exp.
 */
export function fusedAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  bias: Tensor | null,
  options: { scale: number; causal: boolean; layout: 'BHTD' | 'BTHD' },
): Tensor {
  const stepMajor = options.layout === 'BTHD';
  const headsPerStep = stepMajor ? q.shape.at(-2)! : 1;
  // The logits' leading axes: [..., H] in either layout.
  const lead = stepMajor ? [...q.shape.slice(0, -3), headsPerStep] : q.shape.slice(0, -2);
  const Tq = q.shape.at(stepMajor ? -3 : -2)!;
  const D = q.shape.at(-1)!;
  const Tk = k.shape.at(stepMajor ? -3 : -2)!;
  const Dv = v.shape.at(-1)!;
  const heads = sizeOf(lead);
  const [biasFlat, biasIndex] = bias ? flattenBias(bias, lead, Tq, Tk) : [null, null];
  const attrs: AttentionAttrs = {
    heads,
    queries: Tq,
    keys: Tk,
    depth: D,
    valueDepth: Dv,
    scale: options.scale,
    causal: options.causal,
    headsPerStep,
    biasIndex,
  };
  const extra = biasFlat ? [biasFlat] : [];
  const outShape = stepMajor ? [...q.shape.slice(0, -1), Dv] : [...lead, Tq, Dv];
  const out = uninitializedTensor(outShape);
  const lse = emptyTensor([heads, Tq], 'float32');
  runKernel('scaledDotProductAttention', [q, k, v, ...extra], [out, lse], attrs);
  return record('scaledDotProductAttention', [q, k, v], out, (dy) => {
    if (isGradEnabled()) return composedGrad(dy, q, k, v, logitBias(attrs, biasFlat), attrs);
    const dq = uninitializedTensor(q.shape);
    const dk = uninitializedTensor(k.shape);
    const dv = uninitializedTensor(v.shape);
    runKernel(
      'scaledDotProductAttentionBackward',
      [dy, q, k, v, out, lse, ...extra],
      [dq, dk, dv],
      attrs,
    );
    return [dq, dk, dv];
  });
}

/** The bias as [Hb, Tq, Tk] and, for each of the leading positions, which matrix of it applies. */
function flattenBias(bias: Tensor, lead: number[], Tq: number, Tk: number): [Tensor, Int32Array] {
  const biasLead = bias.shape.slice(0, Math.max(0, bias.rank - 2));
  const full = noGrad(() => broadcastTo(bias, [...biasLead, Tq, Tk]));
  const flat = reshape(full, [sizeOf(biasLead), Tq, Tk]);
  // Right-align the bias's leading axes with the logits' and give broadcast axes stride 0.
  const offset = lead.length - biasLead.length;
  const strides = new Array<number>(lead.length).fill(0);
  for (let i = biasLead.length - 1, s = 1; i >= 0; s *= biasLead[i]!, i--)
    strides[offset + i] = biasLead[i] === 1 ? 0 : s;
  const index = new Int32Array(sizeOf(lead));
  for (let h = 0; h < index.length; h++) {
    let rest = h;
    let at = 0;
    for (let a = lead.length - 1; a >= 0; a--) {
      at += (rest % lead[a]!) * strides[a]!;
      rest = Math.floor(rest / lead[a]!);
    }
    index[h] = at;
  }
  return [flat, index];
}

/** The additive logit bias [H, Tq, Tk] the kernels apply (bias, and MASKED_LOGIT where causal). */
function logitBias(a: AttentionAttrs, bias: Tensor | null): Tensor | null {
  if (!bias && !a.causal) return null;
  const { heads: H, queries: Tq, keys: Tk } = a;
  const out = new Float32Array(H * Tq * Tk);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < Tq; i++)
      for (let j = 0; j < Tk; j++) {
        const at = (h * Tq + i) * Tk + j;
        if (a.causal && j > i + Tk - Tq) out[at] = MASKED_LOGIT;
        else if (bias) out[at] = bias.data[(a.biasIndex![h]! * Tq + i) * Tk + j]!;
      }
  return new Tensor(out, [H, Tq, Tk], 'float32');
}

/** The same gradient written with public ops, so that it can itself be differentiated. */
function composedGrad(
  dy: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  bias: Tensor | null,
  a: AttentionAttrs,
): Tensor[] {
  // In the 'BTHD' layout the heads come after the steps: swap them first, and back at the end.
  const swap = (t: Tensor) => (a.headsPerStep === 1 ? t : swapStepsAndHeads(t));
  const flat = (t: Tensor, T: number, d: number) => reshape(swap(t), [a.heads, T, d]);
  const back = (t: Tensor, like: Tensor) => {
    if (a.headsPerStep === 1) return reshape(t, like.shape);
    const s = [...like.shape];
    [s[s.length - 3], s[s.length - 2]] = [s[s.length - 2]!, s[s.length - 3]!];
    return swapStepsAndHeads(reshape(t, s));
  };
  const [q3, k3, v3] = [
    flat(q, a.queries, a.depth),
    flat(k, a.keys, a.depth),
    flat(v, a.keys, a.valueDepth),
  ];
  const dy3 = flat(dy, a.queries, a.valueDepth);
  let logits = mul(matMul(q3, k3, false, true), a.scale);
  if (bias) logits = add(logits, bias);
  const p = softmax(logits, -1);
  const dv = matMul(p, dy3, true, false);
  const dp = matMul(dy3, v3, false, true);
  const ds = mul(mul(p, sub(dp, sum(mul(dp, p), -1, true))), a.scale);
  return [back(matMul(ds, k3), q), back(matMul(ds, q3, true, false), k), back(dv, v)];
}

/** [..., A, B, d] -> [..., B, A, d]: between the 'BTHD' and 'BHTD' layouts. */
export function swapStepsAndHeads(t: Tensor): Tensor {
  const perm = [...t.shape.keys()];
  const r = perm.length;
  [perm[r - 3], perm[r - 2]] = [r - 2, r - 3];
  return transpose(t, perm);
}
