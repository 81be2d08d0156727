/**
 * The seed CNN's search space for `keel tune examples/configs/tune-mnist.json`: the seed program
 * (examples/mnist-cnn.ts) with its choices opened up: filters 8–64, kernel 3 or 5, a dense head of
 * 0–256 units (0: none) with dropout 0–0.5, and Adam's learning rate 1e-4–1e-2 on a log scale.
 */
import { datasets, layers, ops, optimizers, Sequential } from '../../src/index.js';
import type { HyperParameters } from '../../src/tune/index.js';

const { Conv2D, MaxPooling2D, Flatten, Dense, Dropout } = layers;

export function build(hp: HyperParameters): Sequential {
  const filters = hp.int('filters', 8, 64, { step: 8 });
  const kernel = hp.choice('kernel', [3, 5]);
  const dense = hp.int('dense', 0, 256, { step: 32 });
  const dropout = hp.float('dropout', 0, 0.5);
  const learningRate = hp.float('learningRate', 1e-4, 1e-2, { sampling: 'log' });
  const model = new Sequential();
  model.add(new Conv2D(filters, [kernel, kernel], { activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(new MaxPooling2D([2, 2]));
  model.add(new Flatten());
  if (dense > 0) model.add(new Dense(dense, { activation: 'relu' }));
  model.add(new Dropout(dropout));
  model.add(new Dense(10, { activation: 'softmax' }));
  model.compile({
    optimizer: new optimizers.Adam({ learningRate }),
    loss: 'categorical_crossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/**
 * Keel's canonical MNIST split: the last 1,000 of the 8,004 training images validate (the split
 * interleaves digits, so every class is there), the other 7,004 train; the 1,996 test images
 * score the winner only.
 */
export function data() {
  const { xTrain, yTrainOneHot, xTest, yTestOneHot } = datasets.mnist();
  const n = xTrain.shape[0]!;
  const cut = n - 1000;
  const rows = (t: typeof xTrain, from: number, to: number) => ops.slice(t, [from], [to - from]);
  return {
    x: rows(xTrain, 0, cut),
    y: rows(yTrainOneHot, 0, cut),
    validationData: [rows(xTrain, cut, n), rows(yTrainOneHot, cut, n)] as const,
    testData: [xTest, yTestOneHot] as const,
  };
}
