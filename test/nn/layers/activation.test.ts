import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Activation } from '../../../src/nn/layers/activation.js';
import { relu, softmax } from '../../../src/ops/index.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('Activation', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Activation('tanh'),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('applies the named function', () => {
    const x = rand([3, 4], 1);
    expectClose(new Activation('relu').apply(x), relu(x));
    expectClose(new Activation('softmax').apply(x), softmax(x));
    expectClose(new Activation(null).apply(x), x);
    assert.equal(new Activation('swish').getConfig()['activation'], 'silu');
  });

  it('has correct gradients', () => {
    const layer = new Activation('gelu');
    expectGradOk((x) => layer.apply(x), [rand([2, 3], 2)]);
  });

  it('rejects unknown names with the valid ones', () => {
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => new Activation('rellu'),
      /Activation: activation: Unknown activation 'rellu'; valid names: relu, /,
    );
  });
});
