/**
 * Static int8 quantization of the seed CNN (Conv2D/MaxPooling2D/Flatten/Dense) on MNIST: train in
 * float, calibrate on 1024 training images, `compress.quantize(model, {mode: 'static'})`, and
 * compare accuracy, file size and predict speed (batch 256, float and int8 alternated, medians).
 * `npm run example -- compress-mnist [--epochs 10] [--seed 1]`
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, datasets, layers, type Model, ops, Sequential, setSeed } from '../src/index.js';
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
const compileArgs = { optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] };
model.compile(compileArgs);
await model.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });

const calibrationData = ops.slice(xTrain, [0, 0, 0, 0], [1024, 28, 28, 1]);
const quantized = compress.quantize(model, { mode: 'static', calibrationData });
quantized.compile(compileArgs);
const evaluate = async (m: Model) => (await m.evaluate(xTest, yTest, { verbose: 0 })) as number[];
const floatScore = await evaluate(model);
const score = await evaluate(quantized);

const dir = mkdtempSync(join(tmpdir(), 'keel-compress-'));
model.save(join(dir, 'float.keel'));
quantized.save(join(dir, 'int8.keel'));
const size = (name: string) => statSync(join(dir, name)).size;
const ratio = size('float.keel') / size('int8.keel');
rmSync(dir, { recursive: true });

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const x1792 = ops.slice(xTest, [0, 0, 0, 0], [1792, 28, 28, 1]);
const times: [number[], number[]] = [[], []];
for (let r = 0; r < 7; r++)
  for (const [i, m] of [model, quantized].entries()) {
    const t0 = performance.now();
    m.predict(x1792, { batchSize: 256 });
    times[i]!.push(performance.now() - t0);
  }

console.log(`Float test accuracy: ${floatScore[1]}`);
console.log(`Int8 test accuracy: ${score[1]}`);
console.log(`File size ratio: ${ratio}`);
console.log(`Int8 speed-up at batch 256: ${median(times[0]) / median(times[1])}`);
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
