import { type TensorLike, tensor } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * Converts an index argument (gather's indices, oneHot's indices, segment ids) to an int32 tensor.
 * A tensor must already be int32; plain numbers and arrays must hold integers (0.5 is an error,
 * not silently truncated).
 */
export function toIndexTensor(op: string, arg: string, like: TensorLike): Tensor {
  if (like instanceof Tensor) {
    if (like.dtype !== 'int32')
      throw new TypeError(
        `${op}: argument '${arg}' has dtype ${like.dtype}; expected int32 (use cast(${arg}, 'int32'))`,
      );
    return like;
  }
  if (ArrayBuffer.isView(like) && !(like instanceof Int32Array))
    throw new TypeError(
      `${op}: argument '${arg}' must be an Int32Array, a number or an array of integers`,
    );
  checkIntegers(op, arg, like);
  return tensor(like, undefined, 'int32');
}

/** Throws unless every leaf of a number or nested array is an integer in the int32 range. */
function checkIntegers(op: string, arg: string, v: unknown): void {
  if (Array.isArray(v)) {
    for (const item of v) checkIntegers(op, arg, item);
  } else if (
    !(v instanceof Int32Array) &&
    (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2147483647)
  ) {
    throw new TypeError(`${op}: argument '${arg}' must hold integers, got ${String(v)}`);
  }
}
