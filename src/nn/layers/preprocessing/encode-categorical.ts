import { Tensor } from '../../../tensor/tensor.js';

/** The output modes of the categorical preprocessing layers besides 'int'. */
export type CategoricalOutputMode = 'one_hot' | 'multi_hot' | 'count';

/**
 * Keras's encode_categorical_inputs: ids [...] of rank <= 2 → float32 vectors of `depth`
 * columns. 'one_hot' adds an axis (a trailing axis of size 1 is replaced when rank is 2); 'multi_hot' (1 where an
 * id occurs) and 'count' (occurrences) reduce the last axis, so [batch, k] → [batch, depth] and a
 * rank-1 input is one sample. An id outside [0, depth) is an error naming `who`.
 */
export function encodeCategorical(
  ids: ArrayLike<number>,
  shape: readonly number[],
  mode: CategoricalOutputMode,
  depth: number,
  who: string,
): Tensor {
  if (shape.length > 2)
    throw new RangeError(
      `${who}: outputMode '${mode}' takes inputs of rank <= 2, got [${shape.join(', ')}]`,
    );
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (!(v >= 0 && v < depth))
      throw new RangeError(`${who}: input values must lie in [0, ${depth}), got ${v}`);
  }
  if (mode === 'one_hot') {
    const lead = shape.length >= 2 && shape.at(-1) === 1 ? shape.slice(0, -1) : [...shape];
    const out = new Float32Array(ids.length * depth);
    for (let i = 0; i < ids.length; i++) out[i * depth + ids[i]!] = 1;
    return new Tensor(out, shape.length === 0 ? [depth] : [...lead, depth], 'float32');
  }
  const k = shape.length === 0 ? 1 : shape.at(-1)!;
  const rows = k === 0 ? (shape[0] ?? 1) : ids.length / k;
  const out = new Float32Array(rows * depth);
  for (let i = 0; i < ids.length; i++) {
    const o = Math.floor(i / k) * depth + ids[i]!;
    out[o] = mode === 'count' ? out[o]! + 1 : 1;
  }
  return new Tensor(out, shape.length === 2 ? [shape[0]!, depth] : [depth], 'float32');
}

/** Keras's compute_output_shape of encode_categorical_inputs (batch axis may be null). */
export function categoricalShape(
  shape: readonly (number | null)[],
  mode: CategoricalOutputMode,
  depth: number,
): (number | null)[] {
  if (mode === 'one_hot')
    return shape.length >= 2 && shape.at(-1) === 1
      ? [...shape.slice(0, -1), depth]
      : [...shape, depth];
  return [...shape.slice(0, -1), depth];
}
