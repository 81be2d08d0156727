/**
 * Weight-only quantization of one weight matrix (issue 12): int8 symmetric per output channel, or
 * int4 symmetric per group of `groupSize` consecutive inputs of an output channel, and the packed
 * layout the native kernel reads (native/woq/kernels.h): outputs in blocks of 16, k in steps of
 * 4 (int8) or two steps of 4 in the two nibbles of a byte (int4), the scales and the code sums
 * per block beside them.
 */

/** The weight bits of weight-only quantization. */
export type WeightOnlyBits = 8 | 4;

/** A weight matrix [K, N] quantized for `weightOnlyMatMul`, with its bias. */
export interface WeightOnlyMatrix {
  bits: WeightOnlyBits;
  /** Inputs per scale along k (int4); K for int8 (one scale per output channel). */
  groupSize: number;
  K: number;
  N: number;
  /** The codes, output-major [N, K]: int8 in [-127, 127], int4 in [-7, 7]. */
  codes: Int8Array;
  /** The scales, [N, groups] (groups = 1 for int8): w ≈ code · scale. */
  scales: Float32Array;
  bias: Float32Array | null;
  /** The native layout (kernels.h): bytes, scales and code sums by blocks of 16 outputs. */
  packed: Uint8Array;
  packedScales: Float32Array;
  colsum: Int32Array;
}

const BLOCK = 16;

/** x rounded to the nearest integer, ties to even (the rounding of the native kernels). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Groups along k and K padded to whole groups (int4) or to steps of 4 (int8). */
export function paddedK(bits: WeightOnlyBits, K: number, groupSize: number) {
  const groups = bits === 8 ? 1 : Math.ceil(K / groupSize);
  return { groups, Kp: bits === 8 ? Math.ceil(K / 4) * 4 : groups * groupSize };
}

/**
 * Quantizes a float kernel w [K, N] (Keras's Dense layout) and packs it.
 * int8: scale[j] = max_k |w[k, j]| / 127, code = round(w / scale) (ties to even).
 * int4: scale[j, g] = max over the group |w| / 7, code in [-7, 7].
 */
export function quantizeWeightOnly(
  w: Float32Array,
  K: number,
  N: number,
  bits: WeightOnlyBits,
  groupSize: number,
  bias: Float32Array | null = null,
): WeightOnlyMatrix {
  const G = bits === 8 ? K : groupSize;
  const { groups } = paddedK(bits, K, groupSize);
  const qmax = bits === 8 ? 127 : 7;
  const codes = new Int8Array(N * K);
  const scales = new Float32Array(N * groups);
  for (let j = 0; j < N; j++)
    for (let g = 0; g < groups; g++) {
      const k0 = g * G;
      const k1 = Math.min(K, k0 + G);
      let amax = 0;
      for (let k = k0; k < k1; k++) amax = Math.max(amax, Math.abs(w[k * N + j]!));
      const s = Math.fround(amax / qmax);
      scales[j * groups + g] = s;
      if (s === 0) continue;
      for (let k = k0; k < k1; k++) {
        const q = roundHalfEven(Math.fround(w[k * N + j]! / s));
        codes[j * K + k] = Math.max(-qmax, Math.min(qmax, q));
      }
    }
  return packWeightOnly({ bits, groupSize: G, K, N, codes, scales, bias });
}

/** Builds the native layout from the codes and scales (also used when a model file is read). */
export function packWeightOnly(
  m: Pick<WeightOnlyMatrix, 'bits' | 'groupSize' | 'K' | 'N' | 'codes' | 'scales' | 'bias'>,
): WeightOnlyMatrix {
  const { bits, groupSize, K, N, codes, scales } = m;
  const { groups, Kp } = paddedK(bits, K, groupSize);
  const blocks = Math.ceil(N / BLOCK);
  const packed = new Uint8Array(blocks * BLOCK * (bits === 8 ? Kp : Kp / 2));
  const packedScales = new Float32Array(blocks * BLOCK * groups);
  const colsum = new Int32Array(blocks * BLOCK * groups);
  const code = (j: number, k: number) => (j < N && k < K ? codes[j * K + k]! : 0);
  for (let b = 0; b < blocks; b++)
    for (let o = 0; o < BLOCK; o++) {
      const j = b * BLOCK + o;
      for (let g = 0; g < groups; g++) {
        packedScales[(b * groups + g) * BLOCK + o] = j < N ? scales[j * groups + g]! : 0;
        let sum = 0;
        const k0 = bits === 8 ? 0 : g * groupSize;
        const k1 = bits === 8 ? Kp : k0 + groupSize;
        for (let k = k0; k < k1; k++) sum += code(j, k);
        colsum[(b * groups + g) * BLOCK + o] = sum;
      }
      if (bits === 8) {
        const base = b * Kp * BLOCK;
        for (let s = 0; s < Kp / 4; s++)
          for (let q = 0; q < 4; q++)
            packed[base + (s * BLOCK + o) * 4 + q] = code(j, 4 * s + q) & 0xff;
      } else {
        const base = (b * Kp * BLOCK) / 2;
        for (let s = 0; s < Kp / 8; s++)
          for (let q = 0; q < 4; q++)
            packed[base + (s * BLOCK + o) * 4 + q] =
              (code(j, 8 * s + q) + 8) | ((code(j, 8 * s + 4 + q) + 8) << 4);
      }
    }
  return { ...m, bias: m.bias ?? null, packed, packedScales, colsum };
}
