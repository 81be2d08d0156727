import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { dropout } from '../../src/ops/dropout.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { ones, tensor } from '../../src/tensor/create.js';
import { expectClose } from '../helpers.js';

describe('dropout', () => {
  it('zeroes about `rate` of the elements and scales the rest by 1 / (1 - rate)', () => {
    const y = dropout(ones([100, 100]), 0.3, { rng: new Rng(1) });
    let kept = 0;
    for (const v of y.data) {
      if (v !== 0) {
        kept++;
        assert.ok(Math.abs(v - 1 / 0.7) < 1e-6, `kept value ${v}`);
      }
    }
    assert.ok(Math.abs(kept / 10000 - 0.7) < 0.02, `kept fraction ${kept / 10000}`);
  });

  it('returns x itself when rate is 0, and preserves the mean in expectation', () => {
    const x = tensor([1, 2, 3]);
    assert.equal(dropout(x, 0), x);
    const y = dropout(ones([20000]), 0.5, { rng: new Rng(2) });
    const mean = Array.from(y.data).reduce((a, b) => a + b, 0) / y.size;
    assert.ok(Math.abs(mean - 1) < 0.03, `mean ${mean}`);
  });

  it('is reproducible from a seeded generator and from setSeed', () => {
    const a = dropout(ones([50]), 0.5, { rng: new Rng(7) });
    const b = dropout(ones([50]), 0.5, { rng: new Rng(7) });
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    setSeed(3);
    const c = dropout(ones([50]), 0.5);
    setSeed(3);
    assert.deepEqual(Array.from(dropout(ones([50]), 0.5).data), Array.from(c.data));
  });

  it('shares one mask along the axes where noiseShape is 1 (null means the full size)', () => {
    const y = dropout(ones([4, 5, 6]), 0.5, { noiseShape: [4, 1, null], rng: new Rng(3) });
    assert.deepEqual(y.shape, [4, 5, 6]);
    for (let b = 0; b < 4; b++)
      for (let t = 1; t < 5; t++)
        for (let c = 0; c < 6; c++)
          assert.equal(y.data[(b * 5 + t) * 6 + c], y.data[b * 5 * 6 + c]);
  });

  it('sends the gradient through the same mask, scaled', () => {
    const x = ones([200]);
    x.requiresGrad = true;
    const y = dropout(x, 0.25, { rng: new Rng(4) });
    expectClose(grad(y, [x])[0]!, y.data);
  });

  it('keeps NaN, Infinity, rank-0 and empty inputs', () => {
    const y = dropout(tensor([Number.NaN, Infinity]), 0.1, { rng: new Rng(5) });
    // The mask multiplies (like PyTorch), so NaN stays NaN and a dropped Infinity becomes NaN.
    assert.ok(Number.isNaN(y.data[0]!));
    assert.ok(y.data[1] === Infinity || Number.isNaN(y.data[1]!));
    assert.deepEqual(dropout(tensor(2), 0.5).shape, []);
    assert.deepEqual(dropout(tensor(new Float32Array(0), [0, 3]), 0.5).shape, [0, 3]);
  });

  it('rejects a rate outside [0, 1), a bad noiseShape and integer input, naming dropout', () => {
    for (const rate of [1, -0.1, 1.5, Number.NaN])
      assert.throws(
        () => dropout(ones([2]), rate),
        /^RangeError: dropout: rate must be in \[0, 1\)/,
      );
    assert.throws(
      () => dropout(ones([2, 3]), 0.5, { noiseShape: [2, 2] }),
      /^RangeError: dropout: noiseShape \[2, 2\] does not broadcast to input shape \[2, 3\]/,
    );
    assert.throws(
      () => dropout(ones([2, 3]), 0.5, { noiseShape: [3] }),
      /^RangeError: dropout: noiseShape \[3\]/,
    );
    assert.throws(
      () => dropout(tensor(Int32Array.from([1])), 0.5),
      /^TypeError: dropout: argument 'x' has dtype int32/,
    );
  });
});
