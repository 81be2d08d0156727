import type { Layer } from '../../nn/engine/layer.js';
import { Dense } from '../../nn/layers/dense.js';
import { clipByValue } from '../../ops/clip-by-value.js';
import { div } from '../../ops/div.js';
import { log } from '../../ops/log.js';
import { mean } from '../../ops/mean.js';
import { mul } from '../../ops/mul.js';
import { square } from '../../ops/square.js';
import { sub } from '../../ops/sub.js';
import { sum } from '../../ops/sum.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * A FitNets hint (Romero et al. 2015): the student layer's activations, through a learned adapter
 * when their widths differ, are pulled towards the teacher layer's by mean squared error.
 */
export interface FeatureHint {
  /** The teacher layer whose activations are the target, by name (nested layers included). */
  teacherLayer: string;
  /** The student layer trained to match them, by name. */
  studentLayer: string;
  /** The term's weight in the loss (default 1). */
  weight?: number;
  /**
   * 'auto' (default): when only the last axis (features, channels) differs, a learned linear Dense
   * maps the student's to the teacher's width (a 1x1 convolution on feature maps); 'none': the
   * shapes must match; or any Layer mapping the student's activations to the teacher's shape.
   */
  adapter?: 'auto' | 'none' | Layer;
}

/**
 * Attention transfer for Transformer students (as MiniLM and TinyBERT): the student's attention
 * map in a MultiHeadAttention layer is pulled towards the teacher's by KL divergence per query row,
 * per head when both have as many heads, else between the head-averaged maps.
 */
export interface AttentionHint {
  /** A MultiHeadAttention layer of the teacher, by name. */
  teacherLayer: string;
  /** A MultiHeadAttention layer of the student, by name. */
  studentLayer: string;
  /** The term's weight in the loss (default 1). */
  weight?: number;
}

const EPSILON = 1e-7;

/** The shapes, for messages: the teacher's and the student's layer with their activations' shapes. */
function both(hint: { teacherLayer: string; studentLayer: string }, t: Tensor, s: Tensor): string {
  return `teacher layer '${hint.teacherLayer}' gives ${formatShape(t.shape)}, student layer '${hint.studentLayer}' gives ${formatShape(s.shape)}`;
}

/** The adapter a hint needs for these activations: null when the shapes match. */
export function makeAdapter(hint: FeatureHint, teacher: Tensor, student: Tensor): Layer | null {
  const adapter = hint.adapter ?? 'auto';
  if (typeof adapter === 'object') return adapter;
  if (shapesEqual(teacher.shape, student.shape)) return null;
  if (adapter === 'none')
    throw new RangeError(
      `Distiller: feature hint shapes differ and adapter is 'none': ${both(hint, teacher, student)}; use adapter 'auto' (a learned Dense) or give an adapter layer`,
    );
  const lead = (t: Tensor) => t.shape.slice(0, -1);
  if (teacher.rank !== student.rank || !shapesEqual(lead(teacher), lead(student)))
    throw new RangeError(
      `Distiller: feature hint shapes differ beyond the last axis, which a Dense adapter cannot map: ${both(hint, teacher, student)}; give an adapter layer that maps one to the other`,
    );
  return new Dense(teacher.shape[teacher.rank - 1]!, { name: `${hint.studentLayer}_adapter` });
}

/** Per-sample mean squared error between the (adapted) student activations and the teacher's: [batch]. */
export function hintLoss(
  hint: FeatureHint,
  adapter: Layer | null,
  teacher: Tensor,
  student: Tensor,
): Tensor {
  const s = adapter ? (adapter.apply(student) as Tensor) : student;
  if (!shapesEqual(s.shape, teacher.shape))
    throw new RangeError(
      `Distiller: after the adapter the student's activations are ${formatShape(s.shape)}, the teacher's ${formatShape(teacher.shape)}: ${both(hint, teacher, student)}`,
    );
  const sq = square(sub(s, teacher.detach()));
  return sq.rank > 1
    ? mean(
        sq,
        [...Array(sq.rank - 1).keys()].map((a) => a + 1),
      )
    : sq;
}

/**
 * Per-sample KL divergence between attention maps [batch, heads, queries, keys]: Σ_k A_t log(A_t / A_s)
 * per query row, averaged over heads and rows: [batch].
 */
export function attentionLoss(hint: AttentionHint, teacher: Tensor, student: Tensor): Tensor {
  const [tb, th, tq, tk] = teacher.shape;
  const [sb, sh, sq, sk] = student.shape;
  if (teacher.rank !== 4 || student.rank !== 4 || tb !== sb || tq !== sq || tk !== sk)
    throw new RangeError(
      `Distiller: attention maps must agree in batch, queries and keys: ${both(hint, teacher, student)} ([batch, heads, queries, keys])`,
    );
  let t = teacher.detach();
  let s = student;
  if (th !== sh) {
    t = mean(t, 1, true);
    s = mean(s, 1, true);
  }
  const tc = clipByValue(t, EPSILON, 1);
  const kl = sum(mul(tc, log(div(tc, clipByValue(s, EPSILON, 1)))), -1);
  return mean(kl, [1, 2]);
}
