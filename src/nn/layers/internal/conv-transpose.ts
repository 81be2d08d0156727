/** One spatial axis of a transposed convolution: output length and the forward conv's padding. */
export interface TransposeAxis {
  out: number;
  /** Padding of the convolution whose input gradient this is (after: clamped at 0). */
  before: number;
  after: number;
  /** How far `after` was clamped up (cells of the output no window reaches; ONNX output_padding). */
  extra: number;
}

/**
 * Keras's transposed-convolution geometry along one axis (its conv_transpose padding rule for
 * the JAX and TensorFlow backends): the output length, then the padding of the forward
 * convolution whose input gradient gives that output. `outputPadding` null is Keras's None.
 */
export function transposeAxis(
  length: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: 'valid' | 'same',
  outputPadding: number | null,
): TransposeAxis {
  const k = (kernel - 1) * dilation + 1;
  let left: number;
  let right: number;
  if (padding === 'valid') {
    left = k - 1;
    right = k - 1 + (outputPadding ?? Math.max(k, stride) - k);
  } else {
    const padLen = outputPadding === null ? stride + k - 2 : k + (k % 2) - 2 + outputPadding;
    left = Math.min(Math.floor(padLen / 2) + (padLen % 2), k - 1);
    right = padLen - left;
  }
  const out = (length - 1) * stride + 1 + left + right - k + 1;
  const after = k - 1 - right;
  return { out, before: k - 1 - left, after: Math.max(after, 0), extra: Math.max(-after, 0) };
}
