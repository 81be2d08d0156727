/**
 * The Tensor constructor is the last gate before kernels: a negative, fractional, NaN or
 * infinite dimension, a shape of more than 2**32 elements, a data length that disagrees with the
 * shape, or storage of another type than the dtype's (an int32 tensor over float data that could
 * hold 0.5 or NaN) are errors naming the shape, never accepted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

describe('hostile: tensor shapes and storage', () => {
  it('refuses dimensions that are not non-negative integers', () => {
    const cases: [number[], RegExp][] = [
      [[-2, -2], /shape \[-2, -2\] has dimension -2/],
      [[2, -2], /dimension -2/],
      [[1.5], /dimension 1\.5/],
      [[Number.NaN], /dimension NaN/],
      [[Number.POSITIVE_INFINITY], /dimension Infinity/],
      [[2 ** 53], /dimension 9007199254740992/],
    ];
    for (const [shape, re] of cases) {
      assert.throws(() => new Tensor(new Float32Array(4), shape, 'float32'), re, String(shape));
    }
    assert.throws(
      () => new Tensor(new Float32Array(1), ['2' as unknown as number], 'float32'),
      /dimension 2; dimensions are non-negative integers/,
    );
    assert.throws(
      () => new Tensor(new Float32Array(1), 3 as unknown as number[], 'float32'),
      /shape must be an array/,
    );
  });

  it('refuses more than 2**32 elements and a length that disagrees with the shape', () => {
    assert.throws(
      () => new Tensor(new Float32Array(0), [2 ** 20, 2 ** 20], 'float32'),
      /has 1099511627776 elements, over 4294967296/,
    );
    assert.throws(
      () => new Tensor(new Float32Array(5), [2, 3], 'float32'),
      /data has 5 elements but shape \[2, 3\] needs 6/,
    );
    // An empty tensor with a huge other dimension is a valid empty tensor.
    assert.equal(new Tensor(new Float32Array(0), [0, 2 ** 32 - 1], 'float32').size, 0);
  });

  it('refuses storage of the wrong type for the dtype', () => {
    assert.throws(
      () => new Tensor(Float32Array.of(0.5, Number.NaN), [2], 'int32'),
      /int32 \[2\] needs a Int32Array, got Float32Array/,
    );
    assert.throws(() => new Tensor(new Int32Array(2), [2], 'float32'), /needs a Float32Array/);
    assert.throws(() => new Tensor(new Float32Array(2), [2], 'bool'), /needs a Uint8Array/);
    assert.throws(
      () => new Tensor([1, 2] as unknown as Float32Array, [2], 'float32'),
      /needs a Float32Array, got Array/,
    );
    assert.throws(
      () => new Tensor(new Float32Array(2), [2], 'float64' as 'float32'),
      /unknown dtype "float64"/,
    );
    // Views and Buffers of the right type are storage too.
    const buf = Buffer.alloc(3);
    assert.equal(new Tensor(buf, [3], 'uint8').size, 3);
    assert.equal(new Tensor(new Float32Array(8).subarray(2, 6), [2, 2], 'float32').size, 4);
  });

  it('the storage array cannot be replaced (a compile-time error)', () => {
    const t = new Tensor(new Float32Array(4), [4], 'float32');
    // @ts-expect-error data is readonly: a shorter array would be read past its end by kernels
    const swap = () => (t.data = new Float32Array(1));
    assert.equal(typeof swap, 'function');
    assert.equal(t.data.length, 4);
  });
});
