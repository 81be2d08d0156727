import { nativeBinding } from '../../backends/native/index.js';
import type { FusedBinding } from '../../backends/native/kernels/fused.js';

/** A float32 weight matrix [K, N] (Keras's Dense layout) with its bias, for `floatMatMul`. */
export interface FloatMatrix {
  bits: 32;
  K: number;
  N: number;
  /** The kernel, row-major [K, N]. */
  kernel: Float32Array;
  bias: Float32Array | null;
}

/** A float matrix holding `kernel` [K, N] and `bias` [N] (not copied). */
export function floatMatrix(
  kernel: Float32Array,
  K: number,
  N: number,
  bias: Float32Array | null = null,
): FloatMatrix {
  if (kernel.length !== K * N || (bias && bias.length !== N))
    throw new RangeError(
      `floatMatrix: expected kernel [${K}, ${N}] and bias [${N}], got ${kernel.length} and ${bias?.length ?? 0} elements`,
    );
  return { bits: 32, K, N, kernel, bias };
}

/** The addon's fusedDense, or null (no addon). */
function fusedDenseBinding(): FusedBinding | null {
  const native = nativeBinding() as (FusedBinding & object) | null;
  return native && typeof native.fusedDense === 'function' ? native : null;
}

/**
 * y [M, N] = x [M, K] · w + bias in float32: the float baseline of `weightOnlyMatMul` in the
 * fused decoding loop (native: the packed multithreaded SGEMM of fusedDense, the kernel Dense
 * layers run; without the addon, or with `useNative: false`, a TypeScript loop). Writes y.
 * `floatMatMul(x, 1, floatMatrix(w, 128, 384, b), y)`
 */
export function floatMatMul(
  x: Float32Array,
  M: number,
  w: FloatMatrix,
  y: Float32Array,
  useNative = true,
): void {
  if (!Number.isInteger(M) || M < 0 || x.length !== M * w.K || y.length !== M * w.N)
    throw new RangeError(
      `floatMatMul: expected x [${M}, ${w.K}] and y [${M}, ${w.N}], got ${x.length} and ${y.length} elements`,
    );
  const native = useNative ? fusedDenseBinding() : null;
  if (native) {
    if (M > 0) native.fusedDense(x, w.kernel, w.bias, y, M, w.K, w.N, 0);
    return;
  }
  const { K, N, kernel, bias } = w;
  const acc = new Float32Array(N);
  for (let r = 0; r < M; r++) {
    if (bias) acc.set(bias);
    else acc.fill(0);
    for (let k = 0; k < K; k++) {
      const a = x[r * K + k]!;
      const row = k * N;
      for (let j = 0; j < N; j++) acc[j] += a * kernel[row + j]!;
    }
    y.set(acc, r * N);
  }
}
