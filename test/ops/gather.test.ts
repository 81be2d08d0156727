import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { getBackend, getKernel, registerKernel } from '../../src/backends/registry.js';
import { gather } from '../../src/ops/gather.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { build, valueAt } from './shape-reference.js';

describe('gather', () => {
  it('picks rows, columns and repeated indices', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectClose(gather(x, [1, 1, 0]), [
      [4, 5, 6],
      [4, 5, 6],
      [1, 2, 3],
    ]);
    expectClose(gather(x, [2, 0], -1), [
      [3, 1],
      [6, 4],
    ]);
    expectClose(gather(x, tensor(Int32Array.from([1]))), [[4, 5, 6]]);
  });

  it('takes a scalar index (dropping the axis) and nested indices (adding axes)', () => {
    const x = rand([4, 3]);
    const row = gather(x, 2);
    assert.deepEqual(row.shape, [3]);
    expectClose(row, x.data.slice(6, 9));
    assert.deepEqual(
      gather(x, [
        [0, 1],
        [2, 3],
      ]).shape,
      [2, 2, 3],
    );
    assert.deepEqual(gather(x, scalar(1, 'int32'), 1).shape, [4]);
  });

  it('matches a naive reference at every axis of a rank-4 tensor with 2-D indices', () => {
    const x = rand([3, 4, 2, 20], 1);
    const idx = [
      [1, 0, 1],
      [0, 1, 1],
    ];
    for (const axis of [0, 1, 2, 3, -1]) {
      const a = axis < 0 ? axis + 4 : axis;
      const y = gather(x, idx, axis);
      assert.deepEqual(y.shape, [...x.shape.slice(0, a), 2, 3, ...x.shape.slice(a + 1)]);
      expectClose(
        y,
        build(y.shape, (i) => {
          const src = [...i.slice(0, a), idx[i[a]!]![i[a + 1]!]!, ...i.slice(a + 2)];
          return valueAt(x, src);
        }),
      );
    }
  });

  it('handles empty indices and empty tensors, and keeps the dtype', () => {
    assert.deepEqual(gather(rand([3, 2]), []).shape, [0, 2]);
    assert.deepEqual(gather(tensor(new Float32Array(0), [3, 0]), [2, 0]).shape, [2, 0]);
    assert.deepEqual(gather(tensor(new Float32Array(0), [0, 3]), [1], 1).shape, [0, 1]);
    const y = gather(tensor(Int32Array.from([5, 6, 7])), [2, 0]);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [7, 5]);
    expectClose(gather(tensor([Number.NaN, Infinity]), [1, 0]), [Infinity, Number.NaN]);
  });

  it('has the gradient of a scatter-add, accumulating repeated indices', () => {
    expectGradOk((x) => gather(x, [2, 0, 2]), [rand([3, 4], 2)]);
    expectGradOk(
      (x) =>
        gather(
          x,
          [
            [1, 1],
            [0, 2],
          ],
          1,
        ),
      [rand([2, 3, 2], 3)],
    );
    expectGradOk((x) => gather(x, [1, 0, 1], -1), [rand([2, 2, 2], 4)]);
    expectGradOk((x) => gather(x, 1), [rand([3, 2], 5)]);
  });

  it('computes its gradient sparsely with unsortedSegmentSum on a large table', () => {
    // Spy on the kernel the active backend runs (native takes even tiny shapes when
    // KEEL_NATIVE_MIN_ELEMENTS=0), so the count holds on every backend.
    const calls: number[] = [];
    const backend = getBackend();
    const original = getKernel('unsortedSegmentSum', backend);
    registerKernel('unsortedSegmentSum', backend, (inputs, outputs, attrs) => {
      calls.push(inputs[1]!.size);
      original(inputs, outputs, attrs);
    });
    try {
      const table = rand([200000, 8], 6);
      table.requiresGrad = true;
      const dy = rand([3, 8], 7);
      const [dx] = grad(gather(table, [5, 199999, 5]), [table], { outputGrad: dy }) as [Tensor];
      // One scatter over the 3 indices, not a [3, 200000] one-hot product.
      assert.deepEqual(calls, [3]);
      const row = (t: Tensor, r: number) => Array.from(t.data.slice(r * 8, r * 8 + 8));
      expectClose(
        tensor(row(dx, 5)),
        row(dy, 0).map((v, i) => v + row(dy, 2)[i]!),
      );
      expectClose(tensor(row(dx, 199999)), row(dy, 1));
      expectClose(tensor(row(dx, 6)), new Array(8).fill(0));
    } finally {
      registerKernel('unsortedSegmentSum', backend, original);
    }
  });

  it('rejects out-of-range and non-integer indices, naming the index and the axis size', () => {
    const x = rand([5, 3]);
    assert.throws(
      () => gather(x, [0, 5]),
      /gather: index 5 is out of range for axis 0 of size 5 \(x shape \[5, 3\]\)/,
    );
    assert.throws(() => gather(x, [-1]), /gather: index -1 is out of range for axis 0 of size 5/);
    assert.throws(() => gather(x, [3], -1), /gather: index 3 is out of range for axis 1 of size 3/);
    assert.throws(
      () => gather(x, tensor([1, 2])),
      /gather: argument 'indices' has dtype float32; expected int32/,
    );
    assert.throws(() => gather(x, [0.5]), /gather: argument 'indices' must hold integers, got 0.5/);
    assert.throws(
      () => gather(x, new Float32Array([1])),
      /gather: argument 'indices' must be an Int32Array/,
    );
    assert.throws(() => gather(scalar(1), [0]), /gather: cannot gather from a rank-0 tensor/);
    assert.throws(() => gather(x, [0], 2), /gather: axis 2 is out of range for a tensor of rank 2/);
  });
});
