/**
 * Single-thread microbenchmark of the seed CNN's native kernels, called straight on the binding
 * with preallocated outputs: median µs per call at batch 1, 32 and 256.
 *
 *   node bench/native-kernels.mjs [path/to/keel.node] [name filter regex]
 *
 * Pass two builds' keel.node files alternately (A B A B) to compare them on a shared machine.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const binding = createRequire(import.meta.url)(
  resolve(process.argv[2] ?? 'build/Release/keel.node'),
);
binding.setNumThreads(1);
if (process.env.KEEL_ISA) binding.setIsa(process.env.KEEL_ISA);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

/** Prints the median µs of f over about budgetMs of calls, after a 60 ms warm-up. */
function time(name, f, budgetMs = 300) {
  if (filter && !filter.test(name)) return;
  const start = performance.now();
  let warm = 0;
  for (; performance.now() - start < 60; warm++) f();
  const reps = Math.max(5, Math.min(20000, Math.floor((budgetMs * warm) / 60)));
  const us = new Float64Array(reps);
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    f();
    us[i] = Number(process.hrtime.bigint() - s) / 1e3;
  }
  us.sort();
  console.log(`${name.padEnd(20)} ${us[reps >> 1].toFixed(2)}`);
}

const random = (n) => new Float32Array(n).map(() => Math.random() - 0.5);
const filter3x3 = random(288);
const bias = random(32);
for (const B of [1, 32, 256]) {
  // Conv2D(32, 3x3, relu) on 28x28x1 -> MaxPooling2D(2x2) -> Dense(10, softmax) on 5408 inputs.
  const x = random(B * 784);
  const y = new Float32Array(B * 26 * 26 * 32);
  const conv = Float64Array.from([B, 28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 1, 1, 0, 0]);
  time(`conv b${B}`, () => binding.fusedConv2d(x, filter3x3, bias, y, conv, 1));
  const dy = random(B * 26 * 26 * 32);
  const dw = new Float32Array(288);
  if (B > 1) time(`filtergrad b${B}`, () => binding.conv2dBackpropFilter(x, dy, dw, conv));
  const p = new Float32Array(B * 5408);
  const pool = Float64Array.from([B, 26, 26, 32, 13, 13, 2, 2, 2, 2, 0, 0]);
  time(`maxpool b${B}`, () => binding.maxPool2d(y, p, pool));
  const dp = random(B * 5408);
  const dx = new Float32Array(B * 26 * 26 * 32);
  if (B > 1) time(`maxpoolgrad b${B}`, () => binding.maxPool2dBackward(dp, y, p, dx, pool));
  const w = random(5408 * 10);
  const bd = random(10);
  const yd = new Float32Array(B * 10);
  time(`dense b${B}`, () => binding.fusedDense(p, w, bd, yd, B, 5408, 10, 4));
}
