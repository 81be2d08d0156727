/**
 * Static int8 quantization of the seed CNN (Conv2D/MaxPooling2D/Flatten/Dense) on MNIST: train in
 * float, calibrate on 1024 training images, `compress.quantize(model, {mode: 'static'})`, and
 * compare accuracy, file size and predict speed with `compress.compressionReport` (batch 256,
 * float and int8 alternated, medians).
 * `npm run example -- compress-mnist [--epochs 10] [--seed 1]`
 */
import { compress, datasets, layers, ops, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;
const { epochs = 10, batchSize = 32, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);

const { xTrain, yTrainOneHot: yTrain, xTest, yTestOneHot: yTest } = datasets.mnist();

const model = new Sequential();
model.add(new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
model.add(new MaxPooling2D([2, 2]));
model.add(new Flatten());
model.add(new Dense(10, { activation: 'softmax' }));
const compileArgs = {
  optimizer: 'adam',
  loss: 'categorical_crossentropy',
  metrics: ['accuracy'],
} as const;
model.compile(compileArgs);
await model.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });

const calibrationData = ops.slice(xTrain, [0, 0, 0, 0], [1024, 28, 28, 1]);
const quantized = compress.quantize(model, { mode: 'static', calibrationData });
quantized.compile(compileArgs);
// Accuracy and loss on the test split, file sizes, batch-1 latency and batch-256 throughput (the
// two models alternated, medians of 21 calls).
const report = await compress.compressionReport(
  model,
  quantized,
  { x: xTest, y: yTest },
  { throughputCalls: 21 },
);
const { before, after, ratios } = report;

console.log(`Float test accuracy: ${before.metrics['accuracy']}`);
console.log(`Int8 test accuracy: ${after.metrics['accuracy']}`);
console.log(`File size ratio: ${ratios.fileBytes}`);
console.log(`Int8 speed-up at batch 256: ${ratios.throughput}`);
console.log(String(report));
console.log(`Test loss: ${after.metrics['loss']}`);
console.log(`Test accuracy: ${after.metrics['accuracy']}`);
