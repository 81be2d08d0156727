import type { Tensor } from '../../../tensor/tensor.js';
import { type AttentionAttrs, MASKED_LOGIT } from '../../kernels.js';

/** Where row i of head h of a [heads, T, width] tensor starts, in the attrs' layout. */
export function rowOffset(a: AttentionAttrs, h: number, i: number, T: number, width: number) {
  const n = a.headsPerStep;
  return ((Math.floor(h / n) * T + i) * n + (h % n)) * width;
}

/**
 * The logits of query row i of head h, as float32 would compute them: fl(fl(q·k · scale) + bias),
 * with MASKED_LOGIT where the causal mask forbids the key.
 */
function logitsRow(
  q: Float32Array,
  k: Float32Array,
  bias: Float32Array | null,
  a: AttentionAttrs,
  h: number,
  i: number,
  out: Float64Array,
): void {
  const { queries: Tq, keys: Tk, depth: D } = a;
  const qo = rowOffset(a, h, i, Tq, D);
  const bo = bias ? (a.biasIndex![h]! * Tq + i) * Tk : 0;
  for (let j = 0; j < Tk; j++) {
    const ko = rowOffset(a, h, j, Tk, D);
    let dot = 0;
    for (let d = 0; d < D; d++) dot += q[qo + d]! * k[ko + d]!;
    const masked = a.causal && j > i + Tk - Tq;
    out[j] = Math.fround(
      Math.fround(dot * a.scale) + (masked ? MASKED_LOGIT : bias ? bias[bo + j]! : 0),
    );
  }
}

/**
 * Fused scaled dot-product attention: out = softmax(q kᵀ · scale + bias) v per head.
 * Inputs q [H, Tq, D], k [H, Tk, D], v [H, Tk, Dv] [, bias [Hb, Tq, Tk]]; outputs out [H, Tq, Dv]
 * and the row log-sum-exp [H, Tq] of the logits, all the backward kernel needs besides the inputs.
 */
export function attention(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: AttentionAttrs,
) {
  const [q, k, v, bias] = inputs.map((t) => t.data as Float32Array);
  const [out, lse] = outputs.map((t) => t.data as Float32Array) as [Float32Array, Float32Array];
  const { heads: H, queries: Tq, keys: Tk, valueDepth: Dv } = a;
  const p = new Float64Array(Tk);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < Tq; i++) {
      logitsRow(q!, k!, bias ?? null, a, h, i, p);
      let m = -Infinity;
      for (let j = 0; j < Tk; j++) if (p[j]! > m) m = p[j]!;
      let l = 0;
      for (let j = 0; j < Tk; j++) l += p[j] = Math.exp(p[j]! - m);
      const oo = rowOffset(a, h, i, Tq, Dv);
      for (let c = 0; c < Dv; c++) {
        let s = 0;
        for (let j = 0; j < Tk; j++) s += p[j]! * v![rowOffset(a, h, j, Tk, Dv) + c]!;
        out[oo + c] = s / l;
      }
      lse[h * Tq + i] = m + Math.log(l);
    }
  }
}

/**
 * The backward pass from the saved row log-sum-exp: with P = exp(logits - lse) and
 * Δᵢ = Σ_c dOut_ic · out_ic: dv = Pᵀ dOut, dS = P ∘ (dOut vᵀ - Δ) · scale, dq = dS k, dk = dSᵀ q.
 * Inputs dOut, q, k, v, out, lse [, bias]; outputs dq, dk, dv.
 */
export function attentionBackward(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: AttentionAttrs,
) {
  const [dOut, q, k, v, out, lse, bias] = inputs.map((t) => t.data as Float32Array);
  const [dq, dk, dv] = outputs.map((t) => t.data as Float32Array) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const { heads: H, queries: Tq, keys: Tk, depth: D, valueDepth: Dv } = a;
  const dkAcc = new Float64Array(Tk * D);
  const dvAcc = new Float64Array(Tk * Dv);
  const p = new Float64Array(Tk);
  for (let h = 0; h < H; h++) {
    dkAcc.fill(0);
    dvAcc.fill(0);
    for (let i = 0; i < Tq; i++) {
      logitsRow(q!, k!, bias ?? null, a, h, i, p);
      const oo = rowOffset(a, h, i, Tq, Dv);
      const qo = rowOffset(a, h, i, Tq, D);
      let delta = 0;
      for (let c = 0; c < Dv; c++) delta += dOut![oo + c]! * out![oo + c]!;
      const dqRow = new Float64Array(D);
      for (let j = 0; j < Tk; j++) {
        const pij = Math.exp(p[j]! - lse![h * Tq + i]!);
        if (pij === 0) continue;
        const vo = rowOffset(a, h, j, Tk, Dv);
        let dp = 0;
        for (let c = 0; c < Dv; c++) {
          dp += dOut![oo + c]! * v![vo + c]!;
          dvAcc[j * Dv + c]! += pij * dOut![oo + c]!;
        }
        const ds = pij * (dp - delta) * a.scale;
        const ko = rowOffset(a, h, j, Tk, D);
        for (let d = 0; d < D; d++) {
          dqRow[d]! += ds * k![ko + d]!;
          dkAcc[j * D + d]! += ds * q![qo + d]!;
        }
      }
      dq.set(dqRow, qo);
    }
    for (let j = 0; j < Tk; j++) {
      dk.set(dkAcc.subarray(j * D, (j + 1) * D), rowOffset(a, h, j, Tk, D));
      dv.set(dvAcc.subarray(j * Dv, (j + 1) * Dv), rowOffset(a, h, j, Tk, Dv));
    }
  }
}
