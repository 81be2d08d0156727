/** The seed CNN in Keel, shared by the cnn-epoch and inference benchmarks. */
import { layers, Sequential } from '../../../src/index.js';

/** Conv2D(32, 3x3, relu) → MaxPooling2D(2x2) → Flatten → Dense(10, softmax), compiled with Adam. */
export function buildKeelCnn(): Sequential {
  const model = new Sequential();
  model.add(new layers.Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(new layers.MaxPooling2D([2, 2]));
  model.add(new layers.Flatten());
  model.add(new layers.Dense(10, { activation: 'softmax' }));
  // Keel's 'adam' is Keras's: learning rate 1e-3, epsilon 1e-7.
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}
