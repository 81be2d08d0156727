import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadKerasModel } from '../../src/io/keras/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'keras3');

type Nested = number | Nested[];
const flat = (a: Nested): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a]);
const shapeOf = (a: Nested): number[] => (Array.isArray(a) ? [a.length, ...shapeOf(a[0]!)] : []);

/**
 * Files written by fixtures/keras3/make_keras_files.py in Keras 3's layout, with the outputs
 * numpy/torch compute from the same weights: name → what it holds, whether its input is token ids.
 */
const FILES: [string, string, boolean][] = [
  ['mlp', 'Sequential MLP (with a compile config and optimizer variables)', false],
  ['mlp_keras213', "Sequential MLP in Keras 2.13's _layer_checkpoint_dependencies layout", false],
  ['cnn', 'the seed CNN: Conv2D/MaxPooling2D/Flatten/Dropout/Dense', false],
  ['lstm_text', 'LSTM text classifier: Embedding/LSTM/Dense', true],
  ['functional_bn_concat', 'functional model with BatchNormalization and Concatenate', false],
  ['gru', 'GRU (reset_after)', false],
  ['nested_sequential', 'a Sequential nested in a functional model', false],
];

describe('Keras 3 .keras files written from the format (outside Keel)', () => {
  for (const [name, what, ids] of FILES) {
    it(`loads ${what} and matches the reference within 1e-5`, async () => {
      const model = await loadKerasModel(join(fixtures, `${name}.keras`));
      const ref = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as {
        input: Nested;
        output: Nested;
      };
      const values = flat(ref.input);
      const x = new Tensor(
        ids ? Int32Array.from(values) : Float32Array.from(values),
        shapeOf(ref.input),
        ids ? 'int32' : 'float32',
      );
      const y = model.predict(x) as Tensor;
      assert.deepEqual(y.shape, shapeOf(ref.output));
      const expected = flat(ref.output);
      let worst = 0;
      expected.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - (y.data[i] as number)));
      });
      assert.ok(worst <= 1e-5, `${name}: max |Keel - reference| = ${worst}`);
    });
  }
});
