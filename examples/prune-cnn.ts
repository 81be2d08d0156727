/**
 * Magnitude pruning of the seed CNN (Conv2D 32 3x3 relu, MaxPooling2D 2x2, Flatten, Dense 10) on
 * MNIST to 80% sparsity: train dense, prune with Zhu & Gupta's polynomial schedule while
 * fine-tuning, strip, and compare accuracy and file size. As in prune-mnist, the dense baseline
 * is fine-tuned for the same epochs without pruning, so both models get the same training.
 * `npm run example -- prune-cnn [--epochs 3] [--seed 1]` (epochs of each phase)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, datasets, layers, loadModel, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;
const { epochs = 3, batchSize = 32, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);

const { xTrain, yTrainOneHot: yTrain, xTest, yTestOneHot: yTest } = datasets.mnist();

const model = new Sequential([
  new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }),
  new MaxPooling2D([2, 2]),
  new Flatten(),
  new Dense(10, { activation: 'softmax' }),
]);
const compileArgs = {
  optimizer: 'adam',
  loss: 'categorical_crossentropy',
  metrics: ['accuracy'],
} as const;
model.compile(compileArgs);
await model.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const dir = mkdtempSync(join(tmpdir(), 'keel-prune-cnn-'));
model.save(join(dir, 'dense.keel'));
// The baseline: the same model fine-tuned as long as the pruned one, without pruning.
const dense = loadModel(join(dir, 'dense.keel'));
dense.compile(compileArgs);
await dense.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const denseAccuracy = ((await dense.evaluate(xTest, yTest, { verbose: 0 })) as number[])[1]!;

// Reach 80% after two thirds of the fine-tuning, then let the kept weights recover.
const steps = Math.ceil(xTrain.shape[0]! / batchSize) * epochs;
const frequency = 50;
const endStep = Math.max(frequency, Math.round((steps * 2) / 3 / frequency) * frequency);
const schedule = new compress.PolynomialDecay({
  initialSparsity: 0,
  finalSparsity: 0.8,
  beginStep: 0,
  endStep,
  frequency,
});
compress.pruneLowMagnitude(model, { schedule });
await model.fit(xTrain, yTrain, {
  epochs,
  batchSize,
  verbose: 0,
  callbacks: [new compress.UpdatePruningStep()],
});
compress.stripPruning(model);
model.save(join(dir, 'pruned.keel'));
const size = (name: string) => statSync(join(dir, name)).size;
const ratio = size('dense.keel') / size('pruned.keel');
rmSync(dir, { recursive: true });
const score = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];

console.log(`Dense test accuracy: ${denseAccuracy}`);
console.log(`Pruned test accuracy: ${score[1]}`);
console.log(`Sparsity: ${compress.sparsity(model).sparsity}`);
console.log(`File size ratio: ${ratio}`);
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
