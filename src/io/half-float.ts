/**
 * Decodes little-endian 16-bit floats to float32: IEEE half precision ('F16': 1 sign, 5 exponent,
 * 10 mantissa bits, subnormals, Inf and NaN) or bfloat16 ('BF16': the upper half of a float32).
 * `widenToFloat32(bytes, 'F16')`
 */
export function widenToFloat32(bytes: Uint8Array, format: 'F16' | 'BF16'): Float32Array {
  const n = bytes.byteLength >> 1;
  const out = new Float32Array(n);
  if (format === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = (bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = halfToFloat(bytes[2 * i]! | (bytes[2 * i + 1]! << 8));
  return out;
}

/** One IEEE 754 half-precision value (its 16 bits) as a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
