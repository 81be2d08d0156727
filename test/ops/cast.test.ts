import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { cast } from '../../src/ops/cast.js';
import { mul } from '../../src/ops/mul.js';
import { sum } from '../../src/ops/sum.js';
import { tensor } from '../../src/tensor/create.js';
import type { DType } from '../../src/tensor/dtype.js';
import { expectClose } from '../helpers.js';

describe('cast', () => {
  it('converts float32 to int32 by truncation toward zero (NaN becomes 0)', () => {
    const y = cast(tensor([1.7, -1.7, 0.2, Number.NaN, 3e9]), 'int32');
    assert.equal(y.dtype, 'int32');
    assert.ok(y.data instanceof Int32Array);
    assert.deepEqual(Array.from(y.data).slice(0, 4), [1, -1, 0, 0]);
  });

  it('converts to bool as x != 0, NaN counting as true like NumPy', () => {
    const y = cast(tensor([0, -0, 2, Number.NaN, -Infinity]), 'bool');
    assert.equal(y.dtype, 'bool');
    assert.deepEqual(Array.from(y.data), [0, 0, 1, 1, 1]);
    expectClose(cast(tensor([true, false]), 'float32'), [1, 0]);
    expectClose(cast(tensor(Int32Array.from([-3, 7])), 'float32'), [-3, 7]);
  });

  it('rounds float32 to bfloat16 to nearest even and back, keeping NaN and infinities', () => {
    // 1 + 2^-8 is halfway between two bfloat16 neighbours and rounds to the even one (1);
    // 1 + 3 * 2^-8 rounds up to 1 + 2^-6.
    const x = tensor([1 + 2 ** -8, 1 + 3 * 2 ** -8, Math.PI, Number.NaN, -Infinity, 0]);
    const h = cast(x, 'bfloat16');
    assert.equal(h.dtype, 'bfloat16');
    assert.ok(h.data instanceof Uint16Array);
    assert.equal(h.data[5], 0);
    expectClose(cast(h, 'float32'), [1, 1 + 2 ** -6, 3.140625, Number.NaN, -Infinity, 0]);
    assert.deepEqual(Array.from(cast(h, 'int32').data), [1, 1, 3, 0, 0, 0]);
  });

  it('returns the same tensor for the same dtype and keeps shapes, rank 0 and empty', () => {
    const x = tensor([[1, 2]]);
    assert.equal(cast(x, 'float32'), x);
    assert.deepEqual(cast(tensor(2.5), 'int32').shape, []);
    assert.deepEqual(cast(tensor(new Float32Array(0), [2, 0, 3]), 'bool').shape, [2, 0, 3]);
  });

  it('is differentiable between float dtypes (gradient cast back) and cuts the graph to integers', () => {
    const x = tensor([1.5, 2.5]);
    x.requiresGrad = true;
    assert.equal(cast(x, 'int32').requiresGrad, false);
    const [g] = grad(sum(mul(cast(cast(x, 'bfloat16'), 'float32'), x)), [x]);
    expectClose(g!, [3, 5], { rtol: 1e-2 });
  });

  it('rejects unknown dtypes naming cast', () => {
    assert.throws(
      () => cast(tensor([1]), 'float64' as DType),
      /^TypeError: cast: unknown dtype 'float64'/,
    );
  });
});
