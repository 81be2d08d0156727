import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mnist } from '../../../src/data/datasets/mnist.js';

describe('datasets.mnist', () => {
  const d = mnist();

  it('has the canonical split sizes and shapes', () => {
    assert.deepEqual(d.xTrain.shape, [8004, 28, 28, 1]);
    assert.deepEqual(d.xTest.shape, [1996, 28, 28, 1]);
    assert.deepEqual(d.yTrain.shape, [8004]);
    assert.deepEqual(d.yTestOneHot.shape, [1996, 10]);
    assert.equal(d.yTrain.dtype, 'int32');
  });

  it('holds pixels in [0, 1] with real ink in every image', () => {
    for (const x of [d.xTrain, d.xTest]) {
      for (let i = 0; i < x.shape[0]!; i += 97) {
        let ink = 0;
        for (let p = 0; p < 784; p++) {
          const v = x.data[i * 784 + p]!;
          assert.ok(v >= 0 && v <= 1);
          ink += v;
        }
        assert.ok(ink > 10, `image ${i} is nearly blank`);
      }
    }
  });

  it('follows the i % 5 == 4 rule per digit: test counts per class', () => {
    const perClass = (labels: Int32Array) => {
      const c = new Array<number>(10).fill(0);
      for (const l of labels) c[l]!++;
      return c;
    };
    // floor(n_d / 5) test samples for the package's per-digit counts.
    assert.deepEqual(
      perClass(d.yTest.data as Int32Array),
      [200, 225, 198, 206, 196, 172, 202, 214, 188, 195],
    );
    assert.deepEqual(
      perClass(d.yTrain.data as Int32Array),
      [801, 902, 793, 826, 784, 691, 812, 856, 756, 783],
    );
  });

  it('one-hot labels agree with integer labels', () => {
    for (let i = 0; i < 1996; i += 13)
      assert.equal(d.yTestOneHot.data[i * 10 + d.yTest.data[i]!], 1);
  });
});
