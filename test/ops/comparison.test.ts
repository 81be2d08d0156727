import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { equal } from '../../src/ops/equal.js';
import { greater } from '../../src/ops/greater.js';
import { greaterEqual } from '../../src/ops/greater-equal.js';
import { isFinite as isFiniteTensor } from '../../src/ops/is-finite.js';
import { isNaN as isNaNTensor } from '../../src/ops/is-nan.js';
import { less } from '../../src/ops/less.js';
import { lessEqual } from '../../src/ops/less-equal.js';
import { logicalAnd } from '../../src/ops/logical-and.js';
import { logicalNot } from '../../src/ops/logical-not.js';
import { logicalOr } from '../../src/ops/logical-or.js';
import { notEqual } from '../../src/ops/not-equal.js';
import { tensor } from '../../src/tensor/create.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { rand } from '../helpers.js';

const b = (v: number) => v !== 0;
const COMPARISONS = [
  { name: 'equal', fn: equal, ref: (x: number, y: number) => x === y },
  { name: 'notEqual', fn: notEqual, ref: (x: number, y: number) => x !== y },
  { name: 'less', fn: less, ref: (x: number, y: number) => x < y },
  { name: 'lessEqual', fn: lessEqual, ref: (x: number, y: number) => x <= y },
  { name: 'greater', fn: greater, ref: (x: number, y: number) => x > y },
  { name: 'greaterEqual', fn: greaterEqual, ref: (x: number, y: number) => x >= y },
];

const X = [1, 2, 3, Number.NaN, Infinity, -Infinity, 0, -0];
const Y = [1, 3, 2, Number.NaN, Infinity, 5, -0, 1];

for (const c of COMPARISONS) {
  describe(c.name, () => {
    it('returns a bool tensor matching JavaScript comparison, NaN included', () => {
      const y = c.fn(tensor(X), tensor(Y));
      assert.equal(y.dtype, 'bool');
      assert.deepEqual(
        Array.from(y.data, b),
        X.map((x, i) => c.ref(x, Y[i]!)),
      );
    });

    it('broadcasts, works at rank 0 and on empty tensors', () => {
      const col = tensor([[1], [2], [3]]);
      const row = tensor([2, 3]);
      const y = c.fn(col, row);
      assert.deepEqual(y.shape, [3, 2]);
      assert.deepEqual(
        Array.from(y.data, b),
        [1, 2, 3].flatMap((u) => [2, 3].map((v) => c.ref(u, v))),
      );
      assert.deepEqual(c.fn(tensor(2), 2).shape, []);
      assert.equal(b(c.fn(tensor(2), 2).data[0]!), c.ref(2, 2));
      assert.deepEqual(c.fn(tensor(new Float32Array(0), [0]), 1).shape, [0]);
    });

    it('compares int32 with a fractional number without truncating it', () => {
      const y = c.fn(tensor(Int32Array.from([0, 1])), 0.5);
      assert.deepEqual(Array.from(y.data, b), [c.ref(0, 0.5), c.ref(1, 0.5)]);
    });

    it('is not differentiable: the output does not require a gradient', () => {
      const x = rand([3]);
      x.requiresGrad = true;
      assert.equal(c.fn(x, 0).requiresGrad, false);
    });

    it('rejects incompatible shapes naming the op', () => {
      assert.throws(
        () => c.fn(rand([2]), rand([3])),
        new RegExp(`^RangeError: ${c.name}: shapes \\[2\\] and \\[3\\]`),
      );
    });
  });
}

describe('logical ops', () => {
  const T = [true, true, false, false];
  const F = [true, false, true, false];
  it('compute AND, OR and NOT on bool tensors', () => {
    const and = logicalAnd(tensor(T), tensor(F));
    assert.equal(and.dtype, 'bool');
    assert.deepEqual(Array.from(and.data, b), [true, false, false, false]);
    assert.deepEqual(Array.from(logicalOr(tensor(T), tensor(F)).data, b), [
      true,
      true,
      true,
      false,
    ]);
    const not = logicalNot(tensor(F));
    assert.equal(not.dtype, 'bool');
    assert.deepEqual(Array.from(not.data, b), [false, true, false, true]);
  });

  it('broadcast and accept plain booleans', () => {
    const y = logicalAnd(tensor([[true], [false]]), tensor([true, false]));
    assert.deepEqual(y.shape, [2, 2]);
    assert.deepEqual(Array.from(y.data, b), [true, false, false, false]);
    assert.deepEqual(Array.from(logicalOr(tensor(false), true).data, b), [true]);
    assert.deepEqual(logicalNot(new Tensor(new Uint8Array(0), [0, 2], 'bool')).shape, [0, 2]);
  });

  it('reject non-bool operands naming the op', () => {
    assert.throws(
      () => logicalAnd(tensor([1]), tensor([true])),
      /^TypeError: logicalAnd: argument 'a' has dtype float32; expected one of bool/,
    );
    assert.throws(
      () => logicalOr(tensor([true]), tensor(Int32Array.from([1]))),
      /^TypeError: logicalOr: argument 'b' has dtype int32/,
    );
    assert.throws(() => logicalNot(tensor([0])), /^TypeError: logicalNot: argument 'x'/);
  });
});

describe('isNaN and isFinite', () => {
  const V = [0, -1.5, Number.NaN, Infinity, -Infinity, 3e38];
  it('classify every value as a bool tensor', () => {
    const nan = isNaNTensor(tensor(V));
    assert.equal(nan.dtype, 'bool');
    assert.deepEqual(Array.from(nan.data, b), V.map(Number.isNaN));
    const fin = isFiniteTensor(tensor(V));
    assert.equal(fin.dtype, 'bool');
    assert.deepEqual(Array.from(fin.data, b), V.map(Number.isFinite));
  });

  it('handle rank 0, high rank, empty and int32 inputs', () => {
    assert.deepEqual(isNaNTensor(tensor(Number.NaN)).shape, []);
    assert.equal(isNaNTensor(tensor(Number.NaN)).data[0], 1);
    const hi = isFiniteTensor(tensor(new Float32Array([1, Infinity, 2, 3]), [1, 2, 1, 2]));
    assert.deepEqual(hi.shape, [1, 2, 1, 2]);
    assert.deepEqual(Array.from(hi.data, b), [true, false, true, true]);
    assert.deepEqual(isFiniteTensor(tensor(new Float32Array(0), [0])).shape, [0]);
    assert.deepEqual(Array.from(isNaNTensor(tensor(Int32Array.from([1, 2]))).data, b), [
      false,
      false,
    ]);
  });

  it('reject int8 naming the op', () => {
    assert.throws(
      () => isNaNTensor(tensor([1], undefined, 'int8')),
      /^TypeError: isNaN: argument 'x' has dtype int8/,
    );
  });
});
