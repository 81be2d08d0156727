import { availableParallelism } from 'node:os';
import '../ts/index.js';
import { registerBackend } from '../registry.js';
import { loadBinding, type NativeBinding } from './binding.js';
import { registerAttention } from './kernels/attention.js';
import { registerBinary } from './kernels/binary.js';
import { registerConv2d } from './kernels/conv2d.js';
import { registerFused } from './kernels/fused.js';
import { registerGather } from './kernels/gather.js';
import { registerGelu } from './kernels/gelu.js';
import { registerLayerNorm } from './kernels/layer-norm.js';
import { registerMatMul } from './kernels/matmul.js';
import { registerOptimizers } from './kernels/optimizers.js';
import { registerPool2d } from './kernels/pool2d.js';
import { registerQuantizedLstm } from './kernels/quantized-lstm.js';
import {
  registerQuantizedMatMul,
  registerQuantizeLinear,
  registerQuantizeUint8,
} from './kernels/quantized-matmul.js';
import { registerReduce } from './kernels/reduce.js';
import { registerRnn } from './kernels/rnn.js';
import { registerShape } from './kernels/shape.js';
import { registerSoftmax } from './kernels/softmax.js';
import { registerSparseDense } from './kernels/sparse-dense.js';
import { registerUnary } from './kernels/unary.js';

/**
 * The native CPU backend: C++ kernels (native/) on the same Float32Array storage as the
 * TypeScript backend. It registers only when the addon loads; any kernel it lacks, and any dtype
 * or case a native kernel declines, runs on the TypeScript kernel of the same name.
 */
const loaded = loadBinding();
const native: NativeBinding | null = loaded.binding;

/** Why the addon is not available ('' when it is). */
export const nativeUnavailableReason = loaded.binding ? '' : loaded.reason;

/** The loaded addon, or null (tests use it to switch ISA and to call kernels directly). */
export function nativeBinding(): NativeBinding | null {
  return native;
}

/** KEEL_NUM_THREADS when it is a positive integer, else the cores this process may use. */
function threadCount(): number {
  const env = process.env['KEEL_NUM_THREADS'];
  const n = env ? Number(env) : Number.NaN;
  if (Number.isInteger(n) && n >= 1) return n;
  if (env) console.warn(`keel: ignoring KEEL_NUM_THREADS=${env} (expected a positive integer)`);
  return availableParallelism();
}

/** Sets the native thread count (the pool grows or shrinks on the next parallel kernel). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  native?.setNumThreads(n);
}

if (native) {
  native.setNumThreads(threadCount());
  // KEEL_ISA pins an instruction set (avx512, avx2, sse2, scalar) below the detected one.
  const isa = process.env['KEEL_ISA'];
  if (isa && !native.setIsa(isa)) {
    console.warn(
      `keel: KEEL_ISA=${isa} is not available here (${native.info().isas.join(', ')}); using ${native.info().isa}`,
    );
  }
  registerBackend({
    name: 'native',
    info: () => {
      const i = native.info();
      return { backend: 'native', isa: i.isa, threads: i.threads };
    },
  });
  registerMatMul(native);
  registerUnary(native);
  registerBinary(native);
  registerReduce(native);
  registerConv2d(native);
  registerPool2d(native);
  registerFused(native);
  registerOptimizers(native);
  registerRnn(native);
  registerGather(native);
  registerSparseDense(native);
  registerShape(native);
  registerSoftmax(native);
  registerQuantizedMatMul(native);
  registerQuantizeUint8(native);
  registerQuantizeLinear(native);
  registerQuantizedLstm(native);
  registerAttention(native);
  registerLayerNorm(native);
  registerGelu(native);
}
