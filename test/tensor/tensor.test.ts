import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arange, eye, fill, scalar, tensor, zeros } from '../../src/tensor/create.js';
import { broadcastedAxes, broadcastShapes, normalizeAxes } from '../../src/tensor/shape.js';
import { Tensor, uninitializedTensor, Variable } from '../../src/tensor/tensor.js';

describe('tensor()', () => {
  it('infers shape and dtype from nested arrays, typed arrays and booleans', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.array(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.equal(tensor([true, false]).dtype, 'bool');
    assert.equal(scalar(3).rank, 0);
    assert.equal(scalar(3).item(), 3);
  });

  it('accepts an explicit shape and dtype', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    assert.deepEqual(t.array(), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assert.ok(t.data instanceof Int32Array);
    assert.throws(() => tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \[2, 2\]/);
  });

  it('rejects ragged arrays and text where numbers are expected', () => {
    assert.throws(
      () => tensor([[1, 2], [3]]),
      /ragged nested array: length 1 at \[1\], expected 2/,
    );
    assert.throws(
      () => tensor([[1, 'a' as unknown as number]]),
      /expected a number at \[0\]\[1\], got the string "a"/,
    );
    assert.throws(() => tensor([1], undefined, 'float64' as never), /unknown dtype 'float64'/);
  });

  it('supports empty tensors and high rank', () => {
    const e = zeros([0, 3]);
    assert.equal(e.size, 0);
    assert.deepEqual(e.array(), []);
    const h = fill([2, 1, 2, 1, 2], 7);
    assert.equal(h.size, 8);
    assert.equal(h.rank, 5);
  });

  it('arange and eye', () => {
    assert.deepEqual(Array.from(arange(0, 5).data), [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(arange(5).data), [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(arange(1, 2, 0.25).data), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(eye(2).array(), [
      [1, 0],
      [0, 1],
    ]);
  });

  it('prints readably, eliding long axes', () => {
    assert.equal(
      tensor([
        [1, 2],
        [3, 4],
      ]).toString(),
      'Tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2], dtype=float32)',
    );
    assert.match(
      arange(100).toString(),
      /\[ 0\.0000, {2}1\.0000, {2}2\.0000, \.\.\., 97\.0000, 98\.0000, 99\.0000\]/,
    );
    assert.match(tensor([Number.NaN, Infinity]).toString(), /nan, +inf/);
    assert.equal(
      tensor([1, 2], undefined, 'int32').toString(),
      'Tensor([1, 2], shape=[2], dtype=int32)',
    );
  });

  it('rejects data that does not fill the shape', () => {
    assert.throws(
      () => new Tensor(new Float32Array(3), [2, 2], 'float32'),
      /data has 3 elements but shape \[2, 2\] needs 4/,
    );
  });
});

describe('Variable', () => {
  it('copies its initial value and assigns in place', () => {
    const init = tensor([1, 2]);
    const v = new Variable(init, { name: 'w' });
    const storage = v.data;
    v.assign(tensor([3, 4]));
    assert.equal(v.data, storage);
    assert.deepEqual(Array.from(v.data), [3, 4]);
    assert.deepEqual(Array.from(init.data), [1, 2]);
    assert.ok(v.requiresGrad);
    assert.throws(
      () => v.assign(tensor([1, 2, 3])),
      /Variable 'w': cannot assign float32 \[3\] to float32 \[2\]/,
    );
  });
});

describe('shape utilities', () => {
  it('broadcast like NumPy and name the op when they cannot', () => {
    assert.deepEqual(broadcastShapes('add', [3, 1, 5], [4, 1]), [3, 4, 5]);
    assert.deepEqual(broadcastShapes('add', [], [2]), [2]);
    assert.throws(
      () => broadcastShapes('add', [3], [4]),
      /add: shapes \[3\] and \[4\] cannot be broadcast together/,
    );
    assert.deepEqual(broadcastedAxes([4, 1], [3, 4, 5]), [0, 2]);
  });

  it('normalise axes', () => {
    assert.deepEqual(normalizeAxes('sum', [-1, 0], 3), [0, 2]);
    assert.throws(
      () => normalizeAxes('sum', 3, 3),
      /sum: axis 3 is out of range for a tensor of rank 3/,
    );
    assert.throws(() => normalizeAxes('sum', [1, -2], 3), /repeated axis/);
  });
});

describe('uninitializedTensor()', () => {
  it('gives float32 storage of the shape, each buffer its own, small ones zeroed', () => {
    const big = uninitializedTensor([3, 4096]);
    assert.deepEqual(big.shape, [3, 4096]);
    assert.equal(big.dtype, 'float32');
    assert.ok(big.data instanceof Float32Array);
    assert.equal(big.data.length, 3 * 4096);
    assert.equal(big.data.byteOffset, 0);
    const other = uninitializedTensor([3, 4096]);
    assert.notEqual(other.data.buffer, big.data.buffer);
    big.data.fill(7);
    assert.equal(big.data[3 * 4096 - 1], 7);
    assert.deepEqual(Array.from(uninitializedTensor([5]).data), [0, 0, 0, 0, 0]);
    assert.equal(uninitializedTensor([0, 3]).size, 0);
  });
});
