import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mnist } from '../../src/data/datasets/mnist.js';
import { Sequential } from '../../src/models/sequential.js';
import { Conv2D } from '../../src/nn/layers/conv2d.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { MaxPooling2D } from '../../src/nn/layers/max-pooling2d.js';
import { slice } from '../../src/ops/slice.js';
import { setSeed } from '../../src/random/rng.js';

describe('a small CNN trained on real MNIST digits', () => {
  it('reaches at least 88% test accuracy on 2,000 training images in 3 epochs', async () => {
    setSeed(3);
    const d = mnist();
    const x = slice(d.xTrain, [0], [2000]);
    const y = slice(d.yTrainOneHot, [0], [2000]);
    const model = new Sequential();
    model.add(new Conv2D(16, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
    model.add(new MaxPooling2D([2, 2]));
    model.add(new Flatten());
    model.add(new Dense(10, { activation: 'softmax' }));
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 32, verbose: 0 });
    const losses = history.history['loss']!;
    assert.ok(losses[2]! < losses[0]!, `training loss should fall: ${losses.join(', ')}`);
    const [, accuracy] = (await model.evaluate(d.xTest, d.yTestOneHot, { verbose: 0 })) as number[];
    assert.ok(accuracy! >= 0.88, `test accuracy ${accuracy}`);
  });
});
