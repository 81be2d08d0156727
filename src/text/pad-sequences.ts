import { allocate, type DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of `padSequences`. */
export interface PadSequencesOptions {
  /** Length of every output row; the longest sequence's length by default. */
  maxlen?: number | null;
  /** 'int32' by default (Keras); 'float32' for real values. */
  dtype?: 'int32' | 'float32';
  /** Pad before ('pre', the default) or after ('post') each sequence. */
  padding?: 'pre' | 'post';
  /** Drop values from the start ('pre', the default) or the end ('post') of longer sequences. */
  truncating?: 'pre' | 'post';
  /** The padding value, 0 by default. */
  value?: number;
}

function oneOf(arg: string, v: unknown): 'pre' | 'post' {
  if (v !== 'pre' && v !== 'post')
    throw new RangeError(`padSequences: ${arg} must be 'pre' or 'post', got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Keras's pad_sequences: a list of variable-length id sequences becomes one [n, maxlen] tensor,
 * padded with `value` and truncated, both at the start by default.
 * `padSequences([[1, 2], [3]], {maxlen: 3})` is [[0, 1, 2], [0, 0, 3]].
 */
export function padSequences(
  sequences: readonly ArrayLike<number>[],
  options: PadSequencesOptions = {},
): Tensor {
  if (!Array.isArray(sequences))
    throw new TypeError(`padSequences: expected an array of sequences, got ${typeof sequences}`);
  const padding = oneOf('padding', options.padding ?? 'pre');
  const truncating = oneOf('truncating', options.truncating ?? 'pre');
  const dtype: DType = options.dtype ?? 'int32';
  if (dtype !== 'int32' && dtype !== 'float32')
    throw new RangeError(
      `padSequences: dtype must be 'int32' or 'float32', got ${JSON.stringify(dtype)}`,
    );
  const value = options.value ?? 0;
  sequences.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number')
      throw new TypeError(
        `padSequences: sequence ${i} is ${JSON.stringify(s)}, expected an array of numbers`,
      );
    for (let j = 0; j < s.length; j++) {
      const v = s[j];
      if (typeof v !== 'number' || (dtype === 'int32' && !Number.isInteger(v)))
        throw new TypeError(
          `padSequences: sequence ${i} element ${j} is ${JSON.stringify(v)}, expected ${dtype === 'int32' ? 'an integer id' : 'a number'}` +
            (typeof v === 'string' ? '; turn text into ids first (TextVectorization)' : ''),
        );
    }
  });
  const longest = sequences.reduce((m, s) => Math.max(m, s.length), 0);
  const maxlen = options.maxlen ?? longest;
  if (!Number.isInteger(maxlen) || maxlen < 0)
    throw new RangeError(`padSequences: maxlen must be a non-negative integer, got ${maxlen}`);
  const out = allocate(dtype, sequences.length * maxlen).fill(value);
  sequences.forEach((s, i) => {
    const n = Math.min(s.length, maxlen);
    const from = truncating === 'pre' ? s.length - n : 0;
    const to = padding === 'pre' ? (i + 1) * maxlen - n : i * maxlen;
    for (let j = 0; j < n; j++) out[to + j] = s[from + j]!;
  });
  return new Tensor(out, [sequences.length, maxlen], dtype);
}
