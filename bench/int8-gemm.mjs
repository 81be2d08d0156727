/**
 * Single-thread int8 GEMM (quantizedMatMul, uint8 x int8 -> int32 and -> uint8 requantized, on
 * weights packed once as a layer's are) against the float32 GEMM (matMul) of the same shapes,
 * called straight on the binding with preallocated outputs: GOP/s and GFLOP/s, counting a
 * multiply-add as 2 operations.
 *
 *   node bench/int8-gemm.mjs [path/to/keel.node]        (KEEL_ISA=avx2 pins an ISA,
 *                                                         KEEL_THREADS=2 the thread count)
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const binding = createRequire(import.meta.url)(
  resolve(process.argv[2] ?? 'build/Release/keel.node'),
);
const threads = Number(process.env.KEEL_THREADS ?? 1);
binding.setNumThreads(threads);
if (process.env.KEEL_ISA && !binding.setIsa(process.env.KEEL_ISA))
  throw new Error(`KEEL_ISA=${process.env.KEEL_ISA} is not supported here`);

/** The median seconds of f over about budgetMs of calls, after a warm-up. */
function median(f, budgetMs = 400) {
  const start = performance.now();
  let warm = 0;
  for (; performance.now() - start < 80 || warm < 2; warm++) f();
  const reps = Math.max(5, Math.min(2000, Math.floor((budgetMs * warm) / 80)));
  const s = new Float64Array(reps);
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    f();
    s[i] = Number(process.hrtime.bigint() - t) / 1e9;
  }
  s.sort();
  return s[reps >> 1];
}

console.log(`isa ${binding.info().isa}, ${threads} thread(s)`);
console.log('M x K x N           int8->int32 GOP/s  int8->uint8 GOP/s  float32 GFLOP/s');
for (const [M, K, N] of [
  [1, 1024, 1024],
  [32, 784, 128],
  [64, 512, 512],
  [256, 256, 256],
  [512, 512, 512],
]) {
  const ops = 2 * M * K * N;
  const xq = new Uint8Array(M * K).map(() => Math.floor(Math.random() * 256));
  const wq = new Int8Array(K * N).map(() => Math.floor(Math.random() * 256) - 128);
  const bias = new Int32Array(N).map(() => Math.floor(Math.random() * 1000));
  const y32 = new Int32Array(M * N);
  const y8 = new Uint8Array(M * N);
  const scale = new Float32Array(N).fill(1e-4);
  const xf = Float32Array.from(xq, (v) => v - 128);
  const wf = Float32Array.from(wq);
  const yf = new Float32Array(M * N);
  const packed = new Uint8Array(binding.quantizedPackedBytes(K, N, K));
  binding.quantizedPackWeights(wq, K, N, K, packed);
  // (x, w, bias, y, xZeroPoint, scale, yZeroPoint, relu, packed, M, K, N)
  const raw = median(() =>
    binding.quantizedMatMul(xq, wq, bias, y32, 128, null, 0, false, packed, M, K, N),
  );
  const req = median(() =>
    binding.quantizedMatMul(xq, wq, bias, y8, 128, scale, 3, true, packed, M, K, N),
  );
  const flt = median(() => binding.matMul(xf, wf, yf, 1, M, N, K, 0, 0, false, false, false));
  const g = (t) => (ops / t / 1e9).toFixed(1).padStart(17);
  console.log(`${`${M} x ${K} x ${N}`.padEnd(19)}${g(raw)}  ${g(req)}  ${g(flt)}`);
}
