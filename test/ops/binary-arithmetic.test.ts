import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { add } from '../../src/ops/add.js';
import { div } from '../../src/ops/div.js';
import { maximum } from '../../src/ops/maximum.js';
import { minimum } from '../../src/ops/minimum.js';
import { mul } from '../../src/ops/mul.js';
import { pow } from '../../src/ops/pow.js';
import { sub } from '../../src/ops/sub.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

interface Case {
  name: string;
  fn: (a: Tensor | number, b: Tensor | number) => Tensor;
  ref: (a: number, b: number) => number;
}

const CASES: Case[] = [
  { name: 'add', fn: add, ref: (a, b) => a + b },
  { name: 'sub', fn: sub, ref: (a, b) => a - b },
  { name: 'mul', fn: mul, ref: (a, b) => a * b },
  { name: 'div', fn: div, ref: (a, b) => a / b },
  { name: 'pow', fn: pow, ref: (a, b) => a ** b },
  { name: 'maximum', fn: maximum, ref: Math.max },
  { name: 'minimum', fn: minimum, ref: Math.min },
];

const A = [0.5, 1.5, 2, 3.25, 0.75, 4];
const B = [2, 0.5, 3, 1.25, 0.75, 0.5];

for (const c of CASES) {
  describe(c.name, () => {
    it('matches the float64 reference elementwise and at rank 0', () => {
      expectClose(
        c.fn(tensor(A), tensor(B)),
        A.map((a, i) => c.ref(a, B[i]!)),
        { atol: 1e-6, rtol: 1e-6 },
      );
      const y = c.fn(tensor(1.5), tensor(2));
      assert.deepEqual(y.shape, []);
      expectClose(y, [c.ref(1.5, 2)]);
    });

    it('broadcasts [2, 1, 3] with [4, 1] and with plain numbers', () => {
      const a = rand([2, 1, 3], 1, 0.5, 2);
      const b = rand([4, 1], 2, 0.5, 2);
      const y = c.fn(a, b);
      assert.deepEqual(y.shape, [2, 4, 3]);
      const want: number[] = [];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 4; j++)
          for (let k = 0; k < 3; k++) want.push(c.ref(a.data[i * 3 + k]!, b.data[j]!));
      expectClose(y, want, { atol: 1e-5, rtol: 1e-5 });
      expectClose(
        c.fn(a, 1.5),
        Array.from(a.data, (v) => c.ref(v, 1.5)),
        { rtol: 1e-5 },
      );
      expectClose(
        c.fn(1.5, a),
        Array.from(a.data, (v) => c.ref(1.5, v)),
        { rtol: 1e-5 },
      );
    });

    it('handles empty tensors and NaN', () => {
      assert.deepEqual(c.fn(tensor(new Float32Array(0), [0, 2]), tensor([1, 2])).shape, [0, 2]);
      assert.ok(Number.isNaN(c.fn(tensor([Number.NaN]), tensor([2])).data[0]!));
      assert.ok(Number.isNaN(c.fn(tensor([2]), tensor([Number.NaN])).data[0]!));
    });

    it('has correct gradients for both operands, summed over broadcast axes', () => {
      expectGradOk((a, b) => c.fn(a, b), [rand([2, 3], 3, 0.5, 2), rand([2, 3], 4, 0.5, 2)]);
      expectGradOk((a, b) => c.fn(a, b), [rand([2, 1, 3], 5, 0.5, 2), rand([4, 1], 6, 0.5, 2)]);
    });

    it('rejects incompatible shapes naming the op and both shapes', () => {
      assert.throws(
        () => c.fn(rand([2, 3]), rand([4])),
        new RegExp(`${c.name}: shapes \\[2, 3\\] and \\[4\\] cannot be broadcast together`),
      );
    });
  });
}

describe('binary dtypes', () => {
  it('keeps int32 for integer arithmetic but div always returns float32', () => {
    const a = tensor(Int32Array.from([7, -7, 6]));
    const b = tensor(Int32Array.from([2, 2, 3]));
    assert.equal(add(a, b).dtype, 'int32');
    assert.equal(sub(a, 1).dtype, 'int32');
    assert.equal(mul(a, b).dtype, 'int32');
    assert.equal(maximum(a, b).dtype, 'int32');
    const q = div(a, b);
    assert.equal(q.dtype, 'float32');
    expectClose(q, [3.5, -3.5, 2]);
    assert.equal(div(1, tensor(Int32Array.from([0]))).data[0], Infinity);
  });

  it('a fractional number next to an int32 tensor promotes to float32', () => {
    const a = tensor(Int32Array.from([1, 2]));
    const y = add(a, 0.5);
    assert.equal(y.dtype, 'float32');
    expectClose(y, [1.5, 2.5]);
  });

  it('int32 promotes to float32 next to a float32 tensor', () => {
    expectClose(mul(tensor(Int32Array.from([2, 3])), tensor([0.5, 0.25])), [1, 0.75]);
  });
});

describe('div', () => {
  it('gives ±Infinity and NaN for division by zero', () => {
    expectClose(div(tensor([1, -1, 0]), 0), [Infinity, -Infinity, Number.NaN]);
  });
});

describe('pow', () => {
  it('gives the exponent gradient 0 where the base is not positive', () => {
    const a = tensor([-2, 0, 3]);
    const b = tensor([2, 2, 2]);
    b.requiresGrad = true;
    const [db] = grad(pow(a, b), [b]);
    expectClose(db!, [0, 0, 9 * Math.log(3)], { rtol: 1e-5 });
  });

  it('gives the base gradient 0 where the exponent is 0, even at base 0', () => {
    const a = tensor([0, 2]);
    a.requiresGrad = true;
    const [da] = grad(pow(a, tensor([0, 0])), [a]);
    expectClose(da!, [0, 0]);
  });

  it('checks gradients for negative bases with integer exponents', () => {
    expectGradOk((a) => pow(a, 3), [tensor([-1.5, -0.5, 0.7])]);
  });

  it('propagates Infinity', () => {
    expectClose(pow(tensor([Infinity, 2]), tensor([2, Infinity])), [Infinity, Infinity]);
  });
});

describe('maximum and minimum', () => {
  it('route the gradient of a tie to the first operand', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 5, 0]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    const [da, db] = grad(maximum(a, b), [a, b]);
    expectClose(da!, [1, 0, 1]);
    expectClose(db!, [0, 1, 0]);
    const [ma, mb] = grad(minimum(a, b), [a, b]);
    expectClose(ma!, [1, 1, 0]);
    expectClose(mb!, [0, 0, 1]);
  });

  it('let NaN win like NumPy', () => {
    expectClose(maximum(tensor([Number.NaN, 1]), tensor([1, Number.NaN])), [
      Number.NaN,
      Number.NaN,
    ]);
    expectClose(minimum(tensor([-Infinity, 1]), tensor([0, Infinity])), [-Infinity, 1]);
  });
});

describe('rejected dtypes', () => {
  it('rejects int8 operands naming the op and argument', () => {
    const q = tensor([1, 2], undefined, 'int8');
    assert.throws(() => sub(q, 1), /^TypeError: sub: argument 'a' has dtype int8/);
    assert.throws(() => div(1, q), /^TypeError: div: argument 'b' has dtype int8/);
  });
});
