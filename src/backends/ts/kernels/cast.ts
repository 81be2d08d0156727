import type { TypedArray } from '../../../tensor/dtype.js';
import type { Tensor } from '../../../tensor/tensor.js';

/**
 * Converts between dtypes. bfloat16 is stored as the upper 16 bits of a float32 and rounded to
 * nearest even; bool is `x != 0` (NaN is true, as in NumPy); integers truncate toward zero.
 */
export function castKernel(input: Tensor, output: Tensor): void {
  let x: TypedArray = input.data;
  const y = output.data;
  const n = x.length;
  if (input.dtype === 'bfloat16') {
    const f = new Float32Array(n);
    const bits = new Uint32Array(f.buffer);
    for (let i = 0; i < n; i++) bits[i] = x[i]! << 16;
    x = f;
  }
  switch (output.dtype) {
    case 'bool':
      for (let i = 0; i < n; i++) y[i] = x[i] !== 0 ? 1 : 0;
      break;
    case 'bfloat16': {
      const f = x instanceof Float32Array ? x : Float32Array.from(x);
      const bits = new Uint32Array(f.buffer, f.byteOffset, n);
      for (let i = 0; i < n; i++) {
        const b = bits[i]!;
        // NaN keeps its sign and becomes a quiet NaN; others round to nearest, ties to even.
        y[i] =
          (b & 0x7fffffff) > 0x7f800000
            ? (b >>> 16) | 0x40
            : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
      }
      break;
    }
    case 'int32':
    case 'int8':
    case 'uint8':
      // Typed-array stores truncate toward zero (NaN becomes 0; 8-bit types wrap modulo 256).
      for (let i = 0; i < n; i++) y[i] = x[i]!;
      break;
    default:
      y.set(x);
  }
}
