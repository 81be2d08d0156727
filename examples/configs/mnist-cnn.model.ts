/**
 * The seed CNN as a model module for `keel train examples/configs/mnist-cnn.model.ts`: the same
 * model, data and fit options as mnist-cnn.json, written in TypeScript. `model` is a function so
 * that it runs after `keel train` has set the seed; the module compiles the model itself, so
 * `config` has no `compile` section.
 */
import { layers, Sequential } from '../../src/index.js';

const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;

export function model(): Sequential {
  const m = new Sequential([
    new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }),
    new MaxPooling2D([2, 2]),
    new Flatten(),
    new Dense(10, { activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

export const config = {
  name: 'mnist-cnn',
  data: { dataset: 'mnist' },
  fit: { epochs: 10, batchSize: 32 },
  output: 'mnist-cnn.keel',
};
