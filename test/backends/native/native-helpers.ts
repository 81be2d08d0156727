import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type AnyKernel, getKernel } from '../../../src/backends/index.js';
import type { Conv2DAttrs, KernelName, Pool2DAttrs } from '../../../src/backends/kernels.js';
import type { NativeBinding } from '../../../src/backends/native/binding.js';
import { nativeOptions } from '../../../src/backends/native/check.js';
import { nativeBinding, nativeUnavailableReason } from '../../../src/backends/native/index.js';
import { Rng } from '../../../src/random/rng.js';
import type { DType } from '../../../src/tensor/dtype.js';
import { Tensor } from '../../../src/tensor/tensor.js';

/** The addon, or null when it is absent (then the native tests skip, unless CI insists). */
export const native: NativeBinding | null = nativeBinding();
export const skip = native ? false : `native addon not loaded: ${nativeUnavailableReason}`;

// Run even tiny shapes natively, so the C++ edge cases are what gets compared.
nativeOptions.minElements = 0;

/** Every ISA this CPU runs (widest first), e.g. ['avx2', 'sse2', 'scalar']. */
export const isas: string[] = native ? native.info().isas : [];

/** Runs fn once per supported ISA and per thread count, restoring the defaults afterwards. */
export function forEachConfig(
  fn: (isa: string, threads: number) => void,
  threadCounts = [1, 2, 3],
): void {
  const n = native!;
  const before = n.info();
  try {
    for (const isa of isas) {
      assert.ok(n.setIsa(isa));
      for (const t of threadCounts) {
        n.setNumThreads(t);
        fn(isa, t);
      }
    }
  } finally {
    n.setIsa(before.isa);
    n.setNumThreads(before.threads);
  }
}

/** A tensor of uniform values in [lo, hi) from its own generator. */
export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return new Tensor(data, shape, 'float32');
}

export function zerosOf(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(
    dtype === 'float32' ? new Float32Array(size) : new Int32Array(size),
    shape,
    dtype,
  );
}

/** Runs kernel `name` of `backend` on fresh copies of `outputs` and returns them. */
export function runOn(
  backend: 'ts' | 'native',
  name: KernelName,
  inputs: Tensor[],
  outputs: Tensor[],
  attrs: unknown,
): Tensor[] {
  const out = outputs.map((t) => t.clone());
  (getKernel(name, backend) as AnyKernel)(inputs, out, attrs);
  return out;
}

/**
 * Runs kernel `name` on the TS and the native backend with fresh copies of `outputs` (so
 * in-place kernels start from the same state) and returns both results, output by output.
 */
export function runBoth(
  name: KernelName,
  inputs: Tensor[],
  outputs: Tensor[],
  attrs: unknown,
): { ts: Tensor[]; native: Tensor[] } {
  const copy = () => outputs.map((t) => t.clone());
  const ts = copy();
  const nat = copy();
  (getKernel(name, 'ts') as AnyKernel)(inputs, ts, attrs);
  (getKernel(name, 'native') as AnyKernel)(inputs, nat, attrs);
  return { ts, native: nat };
}

/**
 * Asserts max |a - e| <= rtol * max(max |e|, 1) over all elements (the norm-wise relative error a
 * float32 accumulation can promise), NaN where NaN, equal infinities.
 */
export function expectNormClose(
  actual: Tensor,
  expected: Tensor,
  rtol: number,
  what: string,
): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  const a = actual.data;
  const e = expected.data;
  let scale = 1;
  for (let i = 0; i < e.length; i++)
    if (Number.isFinite(e[i]!)) scale = Math.max(scale, Math.abs(e[i]!));
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    // Messages are built only on failure: these loops run over millions of elements.
    const ok = Number.isFinite(y)
      ? Math.abs(x - y) <= rtol * scale
      : Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
    if (!ok) assert.fail(`${what}: element ${i} is ${x}, expected ${y} (scale ${scale})`);
  }
}

/** Asserts |a - e| <= rtol |e| + atol elementwise, NaN where NaN, equal infinities. */
export function expectElementsClose(
  actual: Tensor,
  expected: Tensor,
  rtol: number,
  atol: number,
  what: string,
): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  const a = actual.data;
  const e = expected.data;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    const ok = Number.isNaN(y)
      ? Number.isNaN(x)
      : Number.isFinite(y)
        ? Math.abs(x - y) <= rtol * Math.abs(y) + atol
        : x === y;
    if (!ok) assert.fail(`${what}: element ${i} is ${x}, expected ${y}`);
  }
}

/** `it` that skips without the addon, and fails instead when KEEL_REQUIRE_NATIVE=1. */
export function itNative(name: string, fn: () => void | Promise<void>): void {
  it(name, { skip: process.env['KEEL_REQUIRE_NATIVE'] === '1' ? false : skip }, fn);
}

/** The geometry of a convolution with 'same' (pad > 0) or 'valid' padding, as the op computes it. */
export function convGeometry(
  batch: number,
  inH: number,
  inW: number,
  inC: number,
  outC: number,
  f: [number, number],
  stride: [number, number] = [1, 1],
  dilation: [number, number] = [1, 1],
  same = false,
): Conv2DAttrs {
  const eff = (k: number, d: number) => (k - 1) * d + 1;
  const out = (n: number, k: number, s: number) =>
    same ? Math.ceil(n / s) : Math.max(0, Math.floor((n - k) / s) + 1);
  const outH = out(inH, eff(f[0], dilation[0]), stride[0]);
  const outW = out(inW, eff(f[1], dilation[1]), stride[1]);
  const pad = (o: number, n: number, k: number, s: number) =>
    same ? Math.floor(Math.max(0, (o - 1) * s + k - n) / 2) : 0;
  return {
    batch,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    filterH: f[0],
    filterW: f[1],
    strideH: stride[0],
    strideW: stride[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    padTop: pad(outH, inH, eff(f[0], dilation[0]), stride[0]),
    padLeft: pad(outW, inW, eff(f[1], dilation[1]), stride[1]),
  };
}

/**
 * Direct-convolution geometries (<= 32 taps) that reach every register-tile path of the native
 * kernels: interior row widths 1..14 (each pixel-tile remainder), channel counts that are and
 * are not multiples of the vector blocks, padding borders, strides, dilations, tap counts not
 * multiples of 3 (the filter-gradient tiles), 32 taps, and one case big enough to be split
 * mid-row between threads.
 */
export function directConvCases(): Conv2DAttrs[] {
  const channels = [16, 32, 10, 37, 8, 3, 24, 20, 1, 17, 64, 9, 40, 5];
  const cases: Conv2DAttrs[] = [];
  for (let n = 1; n <= 14; n++)
    cases.push(convGeometry(1 + (n % 2), 4, n + 2, 1 + (n % 3), channels[n - 1]!, [3, 3]));
  cases.push(
    convGeometry(2, 7, 11, 2, 19, [3, 3], [1, 1], [1, 1], true),
    convGeometry(1, 13, 29, 1, 16, [3, 3], [2, 2]),
    convGeometry(1, 12, 20, 2, 33, [2, 3], [1, 2], [2, 2], true),
    convGeometry(1, 9, 15, 2, 17, [4, 4]), // 32 taps
    convGeometry(2, 6, 17, 1, 12, [1, 5], [1, 1], [1, 1], true), // 5 taps
    convGeometry(1, 8, 9, 2, 7, [2, 2], [1, 1], [1, 1], true), // 8 taps
    convGeometry(1, 5, 9, 1, 6, [1, 2], [2, 1]), // 2 taps
    convGeometry(1, 3, 4, 1, 16, [3, 3], [1, 1], [1, 1], true), // every pixel on the border
    convGeometry(3, 30, 23, 2, 20, [3, 3], [1, 1], [1, 1], true), // threads split rows
  );
  return cases;
}

/** The geometry of a pooling window with 'same' (pad > 0) or 'valid' padding, as the op computes it. */
export function poolGeometry(
  batch: number,
  inH: number,
  inW: number,
  channels: number,
  p: [number, number],
  s: [number, number],
  same = false,
): Pool2DAttrs {
  const out = (n: number, k: number, st: number) =>
    same ? Math.ceil(n / st) : Math.max(0, Math.floor((n - k) / st) + 1);
  const outH = out(inH, p[0], s[0]);
  const outW = out(inW, p[1], s[1]);
  const pad = (o: number, n: number, k: number, st: number) =>
    same ? Math.floor(Math.max(0, (o - 1) * st + k - n) / 2) : 0;
  return {
    batch,
    inH,
    inW,
    channels,
    outH,
    outW,
    poolH: p[0],
    poolW: p[1],
    strideH: s[0],
    strideW: s[1],
    padTop: pad(outH, inH, p[0], s[0]),
    padLeft: pad(outW, inW, p[1], s[1]),
  };
}

/**
 * conv2d, its input gradient and its filter gradient on the native kernels against the TS
 * reference, for each geometry, on every ISA at 1 and 2 threads, within 1e-5 relative norm.
 */
export function expectConvMatchesReference(cases: readonly Conv2DAttrs[]): void {
  for (const a of cases) {
    const x = randomTensor([a.batch, a.inH, a.inW, a.inC], 1);
    const w = randomTensor([a.filterH, a.filterW, a.inC, a.outC], 2);
    const dy = randomTensor([a.batch, a.outH, a.outW, a.outC], 3);
    const what = JSON.stringify(a);
    const calls: [KernelName, Tensor[], number[]][] = [
      ['conv2d', [x, w], [a.batch, a.outH, a.outW, a.outC]],
      ['conv2dBackpropInput', [dy, w], [a.batch, a.inH, a.inW, a.inC]],
      ['conv2dBackpropFilter', [x, dy], [a.filterH, a.filterW, a.inC, a.outC]],
    ];
    for (const [name, inputs, outShape] of calls) {
      const expected = runOn('ts', name, inputs, [zerosOf(outShape)], a)[0]!;
      forEachConfig(
        (isa, threads) => {
          const y = runOn('native', name, inputs, [zerosOf(outShape)], a)[0]!;
          expectNormClose(y, expected, 1e-5, `${name} ${what} (${isa}, ${threads})`);
        },
        [1, 2],
      );
    }
  }
}
