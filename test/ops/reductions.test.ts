import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { argmax } from '../../src/ops/argmax.js';
import { argmin } from '../../src/ops/argmin.js';
import { max } from '../../src/ops/max.js';
import { mean } from '../../src/ops/mean.js';
import { min } from '../../src/ops/min.js';
import { prod } from '../../src/ops/prod.js';
import { sum } from '../../src/ops/sum.js';
import { Rng } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

type Axis = number | number[] | undefined;

/** The reference: visits every element in float64 and folds it into its output cell. */
function naiveReduce(
  x: Tensor,
  axis: Axis,
  init: number,
  fold: (acc: number, v: number) => number,
  finish: (acc: number, n: number) => number = (a) => a,
): number[] {
  const rank = x.rank;
  const axes = (axis === undefined ? x.shape.map((_, i) => i) : [axis].flat()).map((a) =>
    a < 0 ? a + rank : a,
  );
  const outDims = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = outDims.reduce((a, b) => a * b, 1);
  const acc = new Array<number>(outSize).fill(init);
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  for (let flat = 0; flat < x.size; flat++) {
    let rem = flat;
    let out = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % x.shape[d]!;
      rem = Math.floor(rem / x.shape[d]!);
      out += (axes.includes(d) ? 0 : i) * stride;
      stride *= outDims[d]!;
    }
    acc[out] = fold(acc[out]!, x.data[flat]!);
  }
  return acc.map((a) => finish(a, n));
}

const REDUCTIONS = [
  { name: 'sum', fn: sum, init: 0, fold: (a: number, v: number) => a + v },
  {
    name: 'mean',
    fn: mean,
    init: 0,
    fold: (a: number, v: number) => a + v,
    finish: (a: number, n: number) => a / n,
  },
  { name: 'max', fn: max, init: -Infinity, fold: Math.max },
  { name: 'min', fn: min, init: Infinity, fold: Math.min },
  { name: 'prod', fn: prod, init: 1, fold: (a: number, v: number) => a * v },
];

for (const r of REDUCTIONS) {
  describe(r.name, () => {
    // Distinct values at least 0.05 apart, so finite differences never cross a max/min kink.
    const perm = new Rng(11).permutation(24);
    const x = tensor(
      Float32Array.from(perm, (p) => 0.5 + 0.05 * p),
      [2, 3, 4],
    );

    it('matches the float64 reference over every axis combination', () => {
      const axesList: Axis[] = [undefined, 0, 1, 2, -1, [0, 2], [1, 2], [0, 1, 2]];
      for (const axis of axesList) {
        const want = naiveReduce(x, axis, r.init, r.fold, r.finish);
        expectClose(r.fn(x, axis), want, { rtol: 1e-5 });
      }
    });

    it('drops reduced axes unless keepDims, and handles rank 0', () => {
      assert.deepEqual(r.fn(x, [0, 2]).shape, [3]);
      assert.deepEqual(r.fn(x, [0, 2], true).shape, [1, 3, 1]);
      assert.deepEqual(r.fn(x).shape, []);
      assert.deepEqual(r.fn(x, undefined, true).shape, [1, 1, 1]);
      const s = r.fn(tensor(2.5));
      assert.deepEqual(s.shape, []);
      expectClose(s, [2.5]);
    });

    it('propagates NaN and Infinity', () => {
      const y = r.fn(
        tensor([
          [1, Number.NaN],
          [2, 3],
        ]),
        1,
      );
      assert.ok(Number.isNaN(y.data[0]!));
      expectClose(y.data.subarray(1), [r.fn(tensor([2, 3])).data[0]!]);
      const inf = r.fn(tensor([Infinity, 2]));
      assert.equal(inf.data[0], r.name === 'min' ? 2 : Infinity);
    });

    it('has the right gradient, for one axis, several axes and all', () => {
      expectGradOk((x) => r.fn(x, 1), [x]);
      expectGradOk((x) => r.fn(x, [0, 2], true), [x]);
      expectGradOk((x) => r.fn(x), [rand([3, 2], 12, 0.5, 1.5)]);
    });

    it('rejects out-of-range axes naming the op', () => {
      assert.throws(
        () => r.fn(x, 3),
        new RegExp(`^RangeError: ${r.name}: axis 3 is out of range for a tensor of rank 3`),
      );
      assert.throws(
        () => r.fn(tensor([1], undefined, 'int8')),
        new RegExp(`^TypeError: ${r.name}: argument 'x' has dtype int8`),
      );
    });
  });
}

describe('reductions over empty axes and dtypes', () => {
  const empty = tensor(new Float32Array(0), [2, 0]);

  it('sum gives 0, prod gives 1 and mean gives NaN over an empty axis, as in NumPy', () => {
    expectClose(sum(empty, 1), [0, 0]);
    expectClose(prod(empty, 1), [1, 1]);
    expectClose(mean(empty, 1), [Number.NaN, Number.NaN]);
    expectClose(mean(empty), [Number.NaN]);
    assert.deepEqual(sum(empty, 0).shape, [0]);
  });

  it('max, min, argmax and argmin refuse an empty axis naming the op', () => {
    assert.throws(() => max(empty, 1), /^RangeError: max: cannot reduce over an empty axis/);
    assert.throws(() => min(empty), /^RangeError: min: cannot reduce over an empty axis/);
    assert.throws(() => argmax(empty), /^RangeError: argmax: cannot reduce over an empty axis/);
    assert.throws(() => argmin(empty), /^RangeError: argmin: cannot reduce over an empty axis/);
    assert.deepEqual(max(empty, 0).shape, [0]);
  });

  it('sum and prod keep int32 (bool becomes int32); mean is always float32', () => {
    const i = tensor(Int32Array.from([1, 2, 3, 4]), [2, 2]);
    assert.equal(sum(i).dtype, 'int32');
    assert.equal(prod(i, 0).dtype, 'int32');
    expectClose(prod(i, 0), [3, 8]);
    assert.equal(max(i).dtype, 'int32');
    assert.equal(sum(tensor([true, true, false])).data[0], 2);
    assert.equal(sum(tensor([true, true, false])).dtype, 'int32');
    const m = mean(i, 1);
    assert.equal(m.dtype, 'float32');
    expectClose(m, [1.5, 3.5]);
    expectClose(mean(tensor([true, false, false, true])), [0.5]);
  });
});

describe('max and min gradients', () => {
  it('split the gradient evenly among tied extrema', () => {
    const x = tensor([
      [1, 3, 3],
      [2, 0, 2],
    ]);
    x.requiresGrad = true;
    expectClose(grad(max(x, 1), [x])[0]!, [0, 0.5, 0.5, 0.5, 0, 0.5]);
    expectClose(grad(min(x, 1), [x])[0]!, [1, 0, 0, 0, 1, 0]);
    expectClose(grad(max(x), [x])[0]!, [0, 0.5, 0.5, 0, 0, 0]);
  });
});

describe('prod gradient with zeros', () => {
  it('is exact with no zero, one zero and two zeros in a row', () => {
    const x = tensor([
      [2, 3, 4],
      [2, 0, 4],
      [0, 3, 0],
    ]);
    x.requiresGrad = true;
    expectClose(grad(prod(x, 1), [x])[0]!, [12, 8, 6, 0, 8, 0, 0, 0, 0]);
    expectGradOk((x) => prod(x, 1), [x]);
  });
});

describe('argmax and argmin', () => {
  const x = tensor([
    [1, 5, 5, 2],
    [7, -1, 0, -1],
  ]);

  it('return int32 indices along the last axis by default, the first of ties', () => {
    const am = argmax(x);
    assert.equal(am.dtype, 'int32');
    assert.deepEqual(Array.from(am.data), [1, 0]);
    assert.deepEqual(Array.from(argmin(x).data), [0, 1]);
  });

  it('take any single axis, including negative ones, and keep high ranks', () => {
    assert.deepEqual(Array.from(argmax(x, 0).data), [1, 0, 0, 0]);
    assert.deepEqual(Array.from(argmin(x, -2).data), [0, 1, 1, 1]);
    const r = rand([2, 3, 4, 5], 3);
    const y = argmax(r, 2);
    assert.deepEqual(y.shape, [2, 3, 5]);
    const want = naiveReduce(r, 2, -Infinity, Math.max);
    const data = r.data;
    for (let i = 0; i < y.size; i++) {
      const outer = Math.floor(i / 5);
      const inner = i % 5;
      assert.equal(data[outer * 20 + y.data[i]! * 5 + inner], want[i]);
    }
  });

  it('let NaN win and find infinities', () => {
    assert.deepEqual(Array.from(argmax(tensor([1, Number.NaN, 3])).data), [1]);
    assert.deepEqual(Array.from(argmin(tensor([1, -Infinity, 3])).data), [1]);
  });

  it('are not differentiable and reject bad axes', () => {
    const v = rand([3]);
    v.requiresGrad = true;
    assert.equal(argmax(v).requiresGrad, false);
    assert.throws(() => argmax(x, 2), /^RangeError: argmax: axis 2 is out of range/);
    assert.throws(() => argmin(tensor(1)), /^RangeError: argmin: axis -1 is out of range/);
  });
});
