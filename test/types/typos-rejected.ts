// Compiled by `tsc --noEmit -p .` (strict) in `npm run lint`, never run: each @ts-expect-error
// below fails the type check if the public types stop rejecting the typo under it (issue 19), and
// the lines without one check that the right spellings still compile.
import { activations, initializers, layers, optimizers, Sequential } from '../../src/index.js';

export function typosRejected(): void {
  const model = new Sequential([new layers.Dense(1, { inputShape: [2] })]);
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['mae'] });
  model.compile({ optimizer: new optimizers.SGD(), loss: 'mse' });
  // @ts-expect-error: a misspelled loss name
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropyy' });
  // @ts-expect-error: a misspelled optimizer name
  model.compile({ optimizer: 'adamm', loss: 'mse' });
  for (const optimizer of [
    'nadam',
    'Adagrad',
    'adadelta',
    'Adamax',
    'lion',
    'adafactor',
    'Ftrl',
  ] as const)
    model.compile({ optimizer, loss: 'mse' });
  // @ts-expect-error: a misspelled optimizer name (issue 20's optimizers)
  model.compile({ optimizer: 'nadamm', loss: 'mse' });
  // @ts-expect-error: Keras's spelling is 'adagrad', not 'adagrads'
  model.compile({ optimizer: 'adagrads', loss: 'mse' });
  // @ts-expect-error: a misspelled optimizer name
  optimizers.getOptimizer('adafactr');
  // @ts-expect-error: a misspelled metric name
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] });
  model.compile({
    optimizer: 'adam',
    loss: 'categorical_focal_crossentropy',
    metrics: ['auc', 'AUC', 'top_k_categorical_accuracy', 'r2_score', 'rootMeanSquaredError'],
  });
  model.compile({ optimizer: 'adam', loss: 'binaryFocalCrossentropy' });
  model.compile({ optimizer: 'adam', loss: 'ctc' });
  // @ts-expect-error: a misspelled new metric name
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['top_k_categorical_acuracy'] });
  // @ts-expect-error: a misspelled new loss name
  model.compile({ optimizer: 'adam', loss: 'binary_focal_crosentropy' });

  new layers.Dense(10, { activation: 'relu', kernelInitializer: 'he_normal' });
  new layers.Dense(10, { activation: activations.relu, kernelInitializer: 'GlorotUniform' });
  // @ts-expect-error: a misspelled option name is not a Dense option
  new layers.Dense(10, { activaton: 'relu' });
  // @ts-expect-error: a misspelled activation name
  new layers.Dense(10, { activation: 'rellu' });
  // @ts-expect-error: a misspelled initializer name
  new layers.Dense(10, { kernelInitializer: 'glorot_unifrom' });
  // @ts-expect-error: not a padding mode
  new layers.Conv2D(4, [3, 3], { padding: 'samee' });
  initializers.getInitializer('lecun_normal');
}
