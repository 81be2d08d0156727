import { isGradEnabled, record } from '../autograd/tape.js';
import { type TensorLike, tensor, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { toIndexTensor } from './internal/indices.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';

/** Options of `ctcLoss`. */
export interface CtcLossOptions {
  /** The class index of the CTC blank (Keras 3: 0). */
  blankIndex?: number;
  /** Labels used of each row of `labels` (default: all of them). */
  labelLengths?: readonly number[];
  /** Time steps used of each sample (default: all of them). */
  logitLengths?: readonly number[];
}

const NEG_INF = Number.NEGATIVE_INFINITY;

function logAdd(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * Connectionist temporal classification loss (Graves et al. 2006): -ln Σ over the alignments of
 * the label sequence (blanks between and around labels, repeats merged) of Π_t softmax(logits)_t,
 * by the forward-backward recursion in log space (float64). logits: [batch, time, classes]
 * float32; labels: [batch, maxLabelLength] int32; result: [batch]. A sample whose labels cannot fit
 * its time steps (labels plus the blanks between repeats) has loss +Infinity and gradient 0.
 * Gradient by the logits: softmax(logits) - the posterior occupancy of each class, kept from the
 * forward pass. `ctcLoss(logits, [[1, 2, 2]], {blankIndex: 0})`
 */
export function ctcLoss(
  logitsLike: TensorLike,
  labelsLike: TensorLike,
  options: CtcLossOptions = {},
): Tensor {
  const logits = toTensor(logitsLike);
  const labels = toIndexTensor('ctcLoss', 'labels', labelsLike);
  checkDType('ctcLoss', 'logits', logits.dtype, ['float32']);
  if (logits.rank !== 3 || labels.rank !== 2 || labels.shape[0] !== logits.shape[0])
    throw new RangeError(
      `ctcLoss: expected logits [batch, time, classes] and labels [batch, maxLabelLength], got logits ${formatShape(logits.shape)} and labels ${formatShape(labels.shape)}`,
    );
  const [B, T, C] = logits.shape as [number, number, number];
  const L = labels.shape[1]!;
  const blank = options.blankIndex ?? 0;
  if (!(Number.isInteger(blank) && blank >= 0 && blank < C))
    throw new RangeError(`ctcLoss: blankIndex ${blank} is outside [0, ${C})`);
  const lengths = (name: string, given: readonly number[] | undefined, max: number) => {
    const v = given ?? new Array<number>(B).fill(max);
    if (v.length !== B || v.some((n) => !(Number.isInteger(n) && n >= 0 && n <= max)))
      throw new RangeError(`ctcLoss: ${name} must be ${B} integers in [0, ${max}], got [${v}]`);
    return v;
  };
  const labelLengths = lengths('labelLengths', options.labelLengths, L);
  const logitLengths = lengths('logitLengths', options.logitLengths, T);
  const x = logits.data;
  const lab = labels.data;
  const loss = new Float32Array(B);
  const grad = new Float32Array(B * T * C);
  for (let b = 0; b < B; b++) {
    const n = labelLengths[b]!;
    const steps = logitLengths[b]!;
    for (let i = 0; i < n; i++) {
      const c = lab[b * L + i]!;
      if (!(c >= 0 && c < C) || c === blank)
        throw new RangeError(
          `ctcLoss: label ${c} at [${b}, ${i}] must be a class in [0, ${C}) other than the blank ${blank}`,
        );
    }
    // The extended sequence: blank, l1, blank, l2, ..., blank.
    const S = 2 * n + 1;
    const ext = Int32Array.from({ length: S }, (_, s) =>
      s % 2 === 0 ? blank : lab[b * L + (s - 1) / 2]!,
    );
    const logP = new Float64Array(steps * C);
    for (let t = 0; t < steps; t++) {
      const off = (b * T + t) * C;
      let max = NEG_INF;
      for (let c = 0; c < C; c++) max = Math.max(max, x[off + c]!);
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(x[off + c]! - max);
      const lse = max + Math.log(z);
      for (let c = 0; c < C; c++) logP[t * C + c] = x[off + c]! - lse;
    }
    const skip = (s: number) => s >= 2 && ext[s] !== blank && ext[s] !== ext[s - 2];
    const alpha = new Float64Array(steps * S).fill(NEG_INF);
    const beta = new Float64Array(steps * S).fill(NEG_INF);
    if (steps > 0) {
      alpha[0] = logP[ext[0]!]!;
      if (S > 1) alpha[1] = logP[ext[1]!]!;
      for (let t = 1; t < steps; t++)
        for (let s = 0; s < S; s++) {
          let a = alpha[(t - 1) * S + s]!;
          if (s >= 1) a = logAdd(a, alpha[(t - 1) * S + s - 1]!);
          if (skip(s)) a = logAdd(a, alpha[(t - 1) * S + s - 2]!);
          alpha[t * S + s] = a === NEG_INF ? NEG_INF : a + logP[t * C + ext[s]!]!;
        }
      // beta[t][s]: the log probability of the rest (t+1 ..) given state s at time t.
      beta[(steps - 1) * S + S - 1] = 0;
      if (S > 1) beta[(steps - 1) * S + S - 2] = 0;
      for (let t = steps - 2; t >= 0; t--)
        for (let s = 0; s < S; s++) {
          const next = (r: number) => beta[(t + 1) * S + r]! + logP[(t + 1) * C + ext[r]!]!;
          let v = next(s);
          if (s + 1 < S) v = logAdd(v, next(s + 1));
          if (s + 2 < S && skip(s + 2)) v = logAdd(v, next(s + 2));
          beta[t * S + s] = v;
        }
    }
    const total =
      steps === 0
        ? n === 0
          ? 0
          : NEG_INF
        : S > 1
          ? logAdd(alpha[(steps - 1) * S + S - 1]!, alpha[(steps - 1) * S + S - 2]!)
          : alpha[(steps - 1) * S]!;
    loss[b] = -total;
    if (total === NEG_INF) continue;
    for (let t = 0; t < steps; t++) {
      const occupancy = new Float64Array(C).fill(NEG_INF);
      for (let s = 0; s < S; s++) {
        const k = ext[s]!;
        occupancy[k] = logAdd(occupancy[k]!, alpha[t * S + s]! + beta[t * S + s]!);
      }
      const off = (b * T + t) * C;
      for (let c = 0; c < C; c++)
        grad[off + c] = Math.exp(logP[t * C + c]!) - Math.exp(occupancy[c]! - total);
    }
  }
  const out = tensor(loss, [B]);
  return record('ctcLoss', [logits, labels], out, (dy) => {
    if (isGradEnabled())
      throw new Error(
        'ctcLoss: its gradient is computed by the forward pass; it has no second derivative',
      );
    return [mul(tensor(grad, [B, T, C]), reshape(dy, [B, 1, 1])), null];
  });
}
