import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { greater } from '../../src/ops/greater.js';
import { mul } from '../../src/ops/mul.js';
import { where } from '../../src/ops/where.js';
import { tensor } from '../../src/tensor/create.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('where', () => {
  it('selects elementwise from a where cond is true, else from b', () => {
    const y = where(tensor([true, false, true]), tensor([1, 2, 3]), tensor([10, 20, 30]));
    expectClose(y, [1, 20, 3]);
    assert.equal(y.dtype, 'float32');
  });

  it('broadcasts all three operands together', () => {
    const cond = tensor([[true], [false]]); // [2, 1]
    const a = tensor([1, 2, 3]); // [3]
    const b = tensor([[[-1]], [[-2]]]); // [2, 1, 1]
    const y = where(cond, a, b);
    assert.deepEqual(y.shape, [2, 2, 3]);
    expectClose(y, [1, 2, 3, -1, -1, -1, 1, 2, 3, -2, -2, -2]);
    expectClose(
      where(
        tensor([true, false]),
        tensor([
          [1, 2],
          [3, 4],
        ]),
        0,
      ),
      [1, 0, 3, 0],
    );
  });

  it('handles rank 0, empty tensors and passes NaN and Infinity through', () => {
    assert.deepEqual(where(tensor(true), 1, 2).shape, []);
    expectClose(where(tensor(false), 1, 2), [2]);
    assert.deepEqual(
      where(new Tensor(new Uint8Array(0), [0, 2], 'bool'), tensor([1, 2]), 0).shape,
      [0, 2],
    );
    expectClose(where(tensor([true, false]), tensor([Number.NaN, 0]), tensor([0, Infinity])), [
      Number.NaN,
      Infinity,
    ]);
  });

  it('keeps the dtype of its operands: int32 with int32, bool with bool, promoted otherwise', () => {
    const c = tensor([true, false]);
    assert.equal(where(c, tensor(Int32Array.from([1, 2])), 0).dtype, 'int32');
    assert.equal(where(c, tensor([true, true]), tensor([false, false])).dtype, 'bool');
    const mixed = where(c, tensor(Int32Array.from([1, 2])), tensor([0.5, 0.5]));
    assert.equal(mixed.dtype, 'float32');
    expectClose(mixed, [1, 0.5]);
  });

  it('routes gradients to a and b by the mask, summed over broadcast axes', () => {
    const cond = tensor([
      [true, false, true],
      [false, false, true],
    ]);
    const a = tensor([1, 2, 3]);
    const b = tensor([[4], [5]]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    const [da, db] = grad(where(cond, a, b), [a, b]);
    expectClose(da!, [1, 0, 2]);
    expectClose(db!, [[1], [2]]);
    expectGradOk((a, b) => mul(where(greater(a, 0), a, b), 2), [rand([2, 3], 1), rand([3], 2)]);
  });

  it('requires a bool condition and compatible shapes', () => {
    assert.throws(
      () => where(tensor([1, 0]), 1, 2),
      /^TypeError: where: argument 'cond' has dtype float32; expected one of bool/,
    );
    assert.throws(
      () => where(tensor([true, false]), tensor([1, 2, 3]), 0),
      /^RangeError: where: shapes cond \[2\], a \[3\] and b \[\] cannot be broadcast together/,
    );
  });
});
