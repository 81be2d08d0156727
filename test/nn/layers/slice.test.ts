import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Slice } from '../../../src/nn/layers/slice.js';
import { rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

describe('Slice', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Slice({ axis: 2, start: 1, end: 4 }),
      inputShape: [2, 3, 5],
      expectedOutputShape: [2, 3, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('keeps x[:, :, start:end] and passes the gradient check', () => {
    const x = rand([2, 3, 5], 7);
    const y = new Slice({ axis: 2, start: 1, end: 4 }).apply(x) as typeof x;
    const want: number[] = [];
    for (let i = 0; i < 6; i++) for (let j = 1; j < 4; j++) want.push(x.data[i * 5 + j]!);
    assert.deepEqual(Array.from(y.data), want);
    expectLayerGradOk(new Slice({ axis: 1, start: 0, end: 2 }), rand([2, 3, 4], 8));
  });

  it('names the layer and shapes in errors', () => {
    assert.throws(() => new Slice({ axis: 0, start: 0, end: 1 }), /Slice: axis must be/);
    assert.throws(() => new Slice({ axis: 1, start: 3, end: 3 }), /0 <= start < end/);
    assert.throws(
      () => new Slice({ axis: 1, start: 0, end: 9 }).apply(rand([2, 3], 1)),
      /Slice.*at least 9/,
    );
  });
});
