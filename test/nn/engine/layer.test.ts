import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { snakeCase, uniqueName } from '../../../src/nn/engine/layer.js';

describe('layer naming', () => {
  it("follows Keras's to_snake_case", () => {
    assert.equal(snakeCase('Conv2D'), 'conv2d');
    assert.equal(snakeCase('MaxPooling2D'), 'max_pooling2d');
    assert.equal(snakeCase('BatchNormalization'), 'batch_normalization');
    assert.equal(snakeCase('GlobalAveragePooling2D'), 'global_average_pooling2d');
    assert.equal(snakeCase('LSTM'), 'lstm');
    assert.equal(snakeCase('SimpleRNN'), 'simple_rnn');
  });

  it('numbers repeated names like Keras', () => {
    assert.equal(uniqueName('probe_name'), 'probe_name');
    assert.equal(uniqueName('probe_name'), 'probe_name_1');
    assert.equal(uniqueName('probe_name'), 'probe_name_2');
  });
});
