import assert from 'node:assert/strict';
import { it } from 'node:test';
import { getKernel } from '../../../src/backends/index.js';
import type { NativeBinding } from '../../../src/backends/native/binding.js';
import { nativeOptions } from '../../../src/backends/native/check.js';
import { nativeBinding, nativeUnavailableReason } from '../../../src/backends/native/index.js';
import type { Conv2DAttrs } from '../../../src/backends/ts/kernels/window.js';
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
  name: string,
  inputs: Tensor[],
  outputs: Tensor[],
  attrs: unknown,
): Tensor[] {
  const out = outputs.map((t) => t.clone());
  getKernel(name, backend)(inputs, out, attrs);
  return out;
}

/**
 * Runs kernel `name` on the TS and the native backend with fresh copies of `outputs` (so
 * in-place kernels start from the same state) and returns both results, output by output.
 */
export function runBoth(
  name: string,
  inputs: Tensor[],
  outputs: Tensor[],
  attrs: unknown,
): { ts: Tensor[]; native: Tensor[] } {
  const copy = () => outputs.map((t) => t.clone());
  const ts = copy();
  const nat = copy();
  getKernel(name, 'ts')(inputs, ts, attrs);
  getKernel(name, 'native')(inputs, nat, attrs);
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
