/**
 * Magnitude pruning of LeNet-300-100 (784-300-100-10) on MNIST: train dense, prune to 90% with
 * Zhu & Gupta's polynomial schedule while fine-tuning, strip, and compare accuracy and file size.
 * The dense baseline is fine-tuned for the same epochs without pruning, so both models get the
 * same training. `npm run example -- prune-mnist [--epochs 8] [--seed 1]` (epochs of each phase)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, datasets, layers, loadModel, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Dense, Flatten } = layers;
const { epochs = 8, batchSize = 32, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);

const { xTrain, yTrainOneHot: yTrain, xTest, yTestOneHot: yTest } = datasets.mnist();

const model = new Sequential([
  new Flatten({ inputShape: [28, 28, 1] }),
  new Dense(300, { activation: 'relu' }),
  new Dense(100, { activation: 'relu' }),
  new Dense(10, { activation: 'softmax' }),
]);
model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
await model.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const dir = mkdtempSync(join(tmpdir(), 'keel-prune-'));
model.save(join(dir, 'dense.keel'));
// The baseline: the same model fine-tuned as long as the pruned one, without pruning.
const dense = loadModel(join(dir, 'dense.keel'));
dense.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
await dense.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const denseAccuracy = ((await dense.evaluate(xTest, yTest, { verbose: 0 })) as number[])[1]!;

// Reach 90% after two thirds of the fine-tuning, then let the kept weights recover.
const steps = Math.ceil(xTrain.shape[0]! / batchSize) * epochs;
const frequency = 50;
const endStep = Math.max(frequency, Math.round((steps * 2) / 3 / frequency) * frequency);
const schedule = new compress.PolynomialDecay({
  initialSparsity: 0,
  finalSparsity: 0.9,
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
