import assert from 'node:assert/strict';
import { type GradCheckOptions, gradCheck } from '../src/autograd/grad-check.js';
import { Rng } from '../src/random/rng.js';
import { tensor } from '../src/tensor/create.js';
import type { TypedArray } from '../src/tensor/dtype.js';
import type { NestedArray } from '../src/tensor/tensor.js';
import { Tensor } from '../src/tensor/tensor.js';
import '../src/backends/index.js';

function flat(x: Tensor | NestedArray | TypedArray | number[]): number[] {
  if (x instanceof Tensor) return Array.from(x.data);
  if (ArrayBuffer.isView(x)) return Array.from(x as ArrayLike<number>);
  if (typeof x === 'number') return [x];
  return (x as NestedArray[]).flat(Infinity as 1) as number[];
}

/** Asserts elementwise |a - e| <= atol + rtol |e| (NaN matches NaN, infinities must be equal). */
export function expectClose(
  actual: Tensor | NestedArray | TypedArray,
  expected: Tensor | NestedArray | TypedArray | number[],
  { atol = 1e-5, rtol = 1e-5 }: { atol?: number; rtol?: number } = {},
): void {
  if (actual instanceof Tensor && expected instanceof Tensor) {
    assert.deepEqual(
      [...actual.shape],
      [...expected.shape],
      `shape ${actual.shape} vs ${expected.shape}`,
    );
  }
  const a = flat(actual);
  const e = flat(expected);
  assert.equal(a.length, e.length, `length ${a.length} vs ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y)) {
      assert.ok(Number.isNaN(x), `element ${i}: expected NaN, got ${x}`);
      continue;
    }
    if (!Number.isFinite(y)) {
      assert.equal(x, y, `element ${i}`);
      continue;
    }
    assert.ok(Math.abs(x - y) <= atol + rtol * Math.abs(y), `element ${i}: ${x} vs expected ${y}`);
  }
}

/** Asserts that autograd's gradients of `fn` match finite differences. */
export function expectGradOk(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options?: GradCheckOptions,
): void {
  const r = gradCheck(fn, inputs, options);
  assert.ok(r.ok, r.message);
}

/** A float32 tensor of uniform values in [lo, hi) from its own seeded generator. */
export function rand(shape: number[], seed = 1, lo = -1, hi = 1): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return tensor(data, shape);
}
