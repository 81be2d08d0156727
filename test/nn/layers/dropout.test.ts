import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { Dropout } from '../../../src/nn/layers/dropout.js';
import { sum } from '../../../src/ops/index.js';
import { ones } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('Dropout', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Dropout(0.5, { seed: 1 }),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('is the identity at inference', () => {
    const x = rand([4, 5], 1);
    const layer = new Dropout(0.7);
    assert.equal(layer.apply(x), x);
    assert.equal(layer.apply(x, { training: false }), x);
  });

  it('drops about rate of the elements in training and scales the rest by 1 / (1 - rate)', () => {
    const layer = new Dropout(0.25, { seed: 3 });
    const y = layer.apply(ones([100, 100]), { training: true });
    const values = [...y.data];
    const dropped = values.filter((v) => v === 0).length / values.length;
    assert.ok(Math.abs(dropped - 0.25) < 0.02, `dropped fraction ${dropped}`);
    assert.ok(values.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  });

  it('draws a reproducible mask sequence from its seed', () => {
    const x = rand([8, 8], 2);
    const a = new Dropout(0.5, { seed: 7 });
    const b = new Dropout(0.5, { seed: 7 });
    const a1 = a.apply(x, { training: true });
    expectClose(b.apply(x, { training: true }), a1);
    const a2 = a.apply(x, { training: true });
    assert.notDeepEqual([...a2.data], [...a1.data]);
  });

  it('shares the mask along axes where noiseShape is 1', () => {
    const layer = new Dropout(0.5, { noiseShape: [null, 1, null], seed: 4 });
    const y = layer.apply(ones([3, 5, 6]), { training: true }).array() as number[][][];
    for (const sample of y) for (const step of sample) assert.deepEqual(step, sample[0]);
  });

  it('passes gradients through the kept elements only', () => {
    const layer = new Dropout(0.5, { seed: 5 });
    const x = rand([4, 6], 3);
    x.requiresGrad = true;
    const y = layer.apply(x, { training: true });
    const [g] = grad(sum(y), [x]);
    expectClose(
      g!,
      [...y.data].map((v) => (v === 0 ? 0 : 2)),
    );
    const off = new Dropout(0.5);
    expectGradOk((xi) => off.apply(xi, { training: false }), [rand([2, 3], 4)]);
  });

  it('rejects rates outside [0, 1) and mismatched noise shapes', () => {
    assert.throws(() => new Dropout(1), /Dropout: rate must be a number in \[0, 1\), got 1/);
    assert.throws(() => new Dropout(-0.1), /Dropout: rate must be a number in \[0, 1\)/);
    assert.throws(
      () =>
        new Dropout(0.5, { noiseShape: [null, 1], name: 'dr' }).apply(rand([2, 3, 4]), {
          training: true,
        }),
      /Dropout 'dr': noiseShape \[null,1\] has rank 2/,
    );
  });
});
