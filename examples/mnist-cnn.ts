/**
 * The seed program: a small CNN on MNIST, line for line with the Keras original (see README).
 * `npm run example -- mnist-cnn [--epochs 10] [--seed 1]`; on N processes:
 * `npx keel launch --nproc 2 examples/mnist-cnn.ts --epochs 2` (the same global batch of 32).
 */
import { datasets, distributed, layers, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;
const { epochs = 10, batchSize = 32, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);
// Under a launcher (keel launch, mpirun, srun) every process trains on its share of each batch.
const strategy = distributed.isLaunched() ? distributed.init() : undefined;
const replicas = strategy?.numReplicas ?? 1;

const { xTrain, yTrainOneHot: yTrain, xTest, yTestOneHot: yTest } = datasets.mnist();

const model = new Sequential();
model.add(new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
model.add(new MaxPooling2D([2, 2]));
model.add(new Flatten());
model.add(new Dense(10, { activation: 'softmax' }));
model.compile({
  optimizer: 'adam',
  loss: 'categorical_crossentropy',
  metrics: ['accuracy'],
  strategy,
});
await model.fit(xTrain, yTrain, { epochs, batchSize: Math.ceil(batchSize / replicas) });
const score = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];

if (strategy?.isChief ?? true) {
  console.log(`Test loss: ${score[0]}`);
  console.log(`Test accuracy: ${score[1]}`);
}
