import { MASKED_LOGIT } from '../backends/kernels.js';
import type { Rng } from '../random/rng.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { broadcastShapes, formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { dropout as dropoutOp } from './dropout.js';
import { fusedAttention, swapStepsAndHeads } from './internal/fused-attention.js';
import { matMul } from './matmul.js';
import { mul } from './mul.js';
import { softmax } from './softmax.js';

/** A large negative logit for masked positions (Keras's float32 value): exp gives exactly 0. */
const MASKED = MASKED_LOGIT;

/** Options of `scaledDotProductAttention`: mask, causal masking and an additive bias. */
export interface AttentionOptions {
  /** Boolean (or 0/1) mask broadcastable to [..., Tq, Tk]; true where a query may attend to a key. */
  mask?: TensorLike | null;
  /**
   * Query i may only attend to keys j <= i + (Tk - Tq): with Tq = Tk the usual lower triangle, and
   * with a key/value cache (Tk > Tq) the new queries sit at the end of the sequence.
   */
  causal?: boolean;
  /** A float bias broadcastable to [..., Tq, Tk] added to the logits (relative positions, ALiBi). */
  bias?: TensorLike | null;
  /** Multiplies q·k; default 1/√D. */
  scale?: number;
  /**
   * 'BHTD' (default): q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv], output [..., Tq, Dv].
   * 'BTHD': the heads after the steps, as projections produce them: q [..., Tq, H, D],
   * k [..., Tk, H, D], v [..., Tk, H, Dv], output [..., Tq, H, Dv], no transposes on the fused
   * path. Masks, bias and scores keep the logits' layout [..., H, Tq, Tk].
   */
  layout?: 'BHTD' | 'BTHD';
  /** Dropout rate on the attention weights (pass 0 at inference). */
  dropout?: number;
  /** Generator for the dropout mask (default: the global one). */
  rng?: Rng;
}

/**
 * softmax(q kᵀ · scale + bias + maskBias) v. q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] ->
 * [..., Tq, Dv] (leading axes broadcast, e.g. [batch, heads]).
 * `scaledDotProductAttention(q, k, v, {causal: true})`
 * Without dropout, with q, k and v of the same leading shape and a bias that needs no gradient, it
 * runs the fused kernel 'scaledDotProductAttention' (no [Tq, Tk] weights kept for the backward
 * pass); otherwise, or through scaledDotProductAttentionWithScores, it is composed from matMul and
 * softmax.
 */
export function scaledDotProductAttention(
  qLike: TensorLike,
  kLike: TensorLike,
  vLike: TensorLike,
  options: AttentionOptions = {},
): Tensor {
  if (options.layout === 'BTHD') return stepMajorAttention(qLike, kLike, vLike, options);
  const [q, k, v] = checkInputs(qLike, kLike, vLike);
  const lead = q.shape.slice(0, -2);
  const sameLead = (t: Tensor) => t.rank === q.rank && lead.every((d, i) => t.shape[i] === d);
  const bias = options.bias == null ? null : toTensor(options.bias);
  const Tk = k.shape.at(-2)!;
  if ((options.dropout ?? 0) > 0 || !sameLead(k) || !sameLead(v) || bias?.requiresGrad || Tk === 0)
    return scaledDotProductAttentionWithScores(q, k, v, options).output;
  const Tq = q.shape.at(-2)!;
  const logitShape = [...lead, Tq, Tk];
  const maskB = maskBias(logitShape, options.mask ?? null, false);
  if (bias) checkBias(bias, logitShape);
  const combined = maskB && bias ? add(maskB, bias) : (maskB ?? bias);
  return fusedAttention(q, k, v, combined, {
    scale: options.scale ?? 1 / Math.sqrt(q.shape.at(-1)!),
    causal: options.causal ?? false,
    layout: 'BHTD',
  });
}

/** The 'BTHD' layout: fused when q, k and v agree on everything but the lengths, else transposed. */
function stepMajorAttention(
  qLike: TensorLike,
  kLike: TensorLike,
  vLike: TensorLike,
  options: AttentionOptions,
): Tensor {
  const [q, k, v] = [toTensor(qLike), toTensor(kLike), toTensor(vLike)];
  for (const [name, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const)
    if (t.rank < 3)
      throw new RangeError(
        `scaledDotProductAttention: with layout 'BTHD' ${name} must have rank >= 3 [..., T, H, D], got ${formatShape(t.shape)}`,
      );
  const bias = options.bias == null ? null : toTensor(options.bias);
  const same = (t: Tensor, upTo: number) =>
    t.rank === q.rank && q.shape.slice(0, upTo).every((d, i) => t.shape[i] === d);
  const r = q.rank;
  const fusable =
    (options.dropout ?? 0) === 0 &&
    !bias?.requiresGrad &&
    [q, k, v].every((t) => t.dtype === 'float32') &&
    same(k, r - 3) &&
    same(v, r - 3) &&
    k.shape[r - 2] === q.shape[r - 2] &&
    v.shape[r - 2] === q.shape[r - 2] &&
    k.shape[r - 1] === q.shape[r - 1] &&
    v.shape[r - 3] === k.shape[r - 3] &&
    k.shape[r - 3]! > 0;
  if (!fusable) {
    const out = scaledDotProductAttentionWithScores(
      swapStepsAndHeads(q),
      swapStepsAndHeads(k),
      swapStepsAndHeads(v),
      { ...options, layout: 'BHTD' },
    ).output;
    return swapStepsAndHeads(out);
  }
  const logitShape = [...q.shape.slice(0, -3), q.shape[r - 2]!, q.shape[r - 3]!, k.shape[r - 3]!];
  const maskB = maskBias(logitShape, options.mask ?? null, false);
  if (bias) checkBias(bias, logitShape);
  const combined = maskB && bias ? add(maskB, bias) : (maskB ?? bias);
  return fusedAttention(q, k, v, combined, {
    scale: options.scale ?? 1 / Math.sqrt(q.shape[r - 1]!),
    causal: options.causal ?? false,
    layout: 'BTHD',
  });
}

function checkInputs(qLike: TensorLike, kLike: TensorLike, vLike: TensorLike): Tensor[] {
  const q = toTensor(qLike);
  const k = toTensor(kLike);
  const v = toTensor(vLike);
  for (const [name, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    checkDType('scaledDotProductAttention', name, t.dtype, ['float32']);
    if (t.rank < 2)
      throw new RangeError(
        `scaledDotProductAttention: ${name} must have rank >= 2 [..., T, D], got ${formatShape(t.shape)}`,
      );
  }
  // Formatted only for an error (this runs in every decoding step).
  const shapes = () =>
    `q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}`;
  if (k.shape.at(-1) !== q.shape.at(-1))
    throw new RangeError(
      `scaledDotProductAttention: q and k must have the same head dimension: ${shapes()}`,
    );
  if (v.shape.at(-2) !== k.shape.at(-2))
    throw new RangeError(
      `scaledDotProductAttention: k and v must have the same length (axis -2): ${shapes()}`,
    );
  const lead = broadcastShapes(
    'scaledDotProductAttention',
    q.shape.slice(0, -2),
    k.shape.slice(0, -2),
  );
  broadcastShapes('scaledDotProductAttention', lead, v.shape.slice(0, -2));
  return [q, k, v];
}

/** A float32 bias that broadcasts to the logits' shape. */
function checkBias(bias: Tensor, logitShape: readonly number[]): void {
  checkDType('scaledDotProductAttention', 'bias', bias.dtype, ['float32']);
  const joint = broadcastShapes('scaledDotProductAttention', bias.shape, logitShape);
  if (joint.length !== logitShape.length || joint.some((d, i) => d !== logitShape[i]))
    throw new RangeError(
      `scaledDotProductAttention: bias ${formatShape(bias.shape)} does not broadcast to the attention logits ${formatShape(logitShape)}`,
    );
}

/** scaledDotProductAttention that also returns the attention weights [..., Tq, Tk]. */
export function scaledDotProductAttentionWithScores(
  qLike: TensorLike,
  kLike: TensorLike,
  vLike: TensorLike,
  options: AttentionOptions = {},
): { output: Tensor; scores: Tensor } {
  if (options.layout === 'BTHD') {
    const swapped = [qLike, kLike, vLike].map((t) => swapStepsAndHeads(toTensor(t)));
    const r = scaledDotProductAttentionWithScores(swapped[0]!, swapped[1]!, swapped[2]!, {
      ...options,
      layout: 'BHTD',
    });
    return { output: swapStepsAndHeads(r.output), scores: r.scores };
  }
  const [q, k, v] = checkInputs(qLike, kLike, vLike);
  const D = q.shape.at(-1)!;
  const Tq = q.shape.at(-2)!;
  const Tk = k.shape.at(-2)!;
  const lead = broadcastShapes(
    'scaledDotProductAttention',
    q.shape.slice(0, -2),
    k.shape.slice(0, -2),
  );
  const scale = options.scale ?? 1 / Math.sqrt(D);
  let logits = mul(matMul(q, k, false, true), scale);
  const bias = maskBias([...lead, Tq, Tk], options.mask ?? null, options.causal ?? false);
  if (bias) logits = add(logits, bias);
  if (options.bias != null) {
    const extra = toTensor(options.bias);
    checkBias(extra, logits.shape);
    logits = add(logits, extra);
  }
  const scores = softmax(logits, -1);
  const rate = options.dropout ?? 0;
  const weights = rate > 0 ? dropoutOp(scores, rate, { rng: options.rng }) : scores;
  return { output: matMul(weights, v), scores };
}

/** A constant additive bias (0 where allowed, -1e9 where masked), or null when nothing is masked. */
function maskBias(
  logitShape: number[],
  maskLike: TensorLike | null,
  causal: boolean,
): Tensor | null {
  const Tq = logitShape.at(-2)!;
  const Tk = logitShape.at(-1)!;
  let mask: Tensor | null = null;
  if (maskLike !== null) {
    mask = toTensor(maskLike);
    const ok =
      mask.rank >= 2 &&
      mask.rank <= logitShape.length &&
      mask.shape.every((d, i) => {
        const want = logitShape[logitShape.length - mask!.rank + i]!;
        return d === want || (d === 1 && i < mask!.rank - 2);
      });
    if (!ok)
      throw new RangeError(
        `scaledDotProductAttention: mask ${formatShape(mask.shape)} does not fit the attention logits ${formatShape(logitShape)} (it must end in [${Tq}, ${Tk}] and broadcast over the leading axes)`,
      );
  }
  if (!mask && !causal) return null;
  const shape = mask ? mask.shape : [Tq, Tk];
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const md = mask?.data;
  const offset = Tk - Tq;
  for (let i = 0; i < out.length; i++) {
    const col = i % Tk;
    const row = Math.floor(i / Tk) % Tq;
    const allowed = md?.[i] !== 0 && (!causal || col <= row + offset);
    out[i] = allowed ? 0 : MASKED;
  }
  return new Tensor(out, shape, 'float32');
}
