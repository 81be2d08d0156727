/**
 * Quantization-aware training of the seed CNN (Conv2D/MaxPooling2D/Flatten/Dense) on MNIST:
 * train in float, then fine-tune a copy with fake-quantized kernels and inputs
 * (`compress.quantizeAware`) and convert it to the integer model (`compress.convertQat`: static
 * int8 QuantizedConv2D/QuantizedDense with the observed ranges). Compared with post-training
 * static quantization of the float model, and with the float model fine-tuned as long without
 * fake quantization, so that float and QAT get the same training.
 * `npm run example -- qat-mnist [--epochs 10] [--seed 1]` (float epochs; QAT fine-tunes 2)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compress,
  datasets,
  layers,
  loadModel,
  type Model,
  ops,
  Sequential,
  setSeed,
} from '../src/index.js';
import { exampleArgs } from './args.js';

const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;
const { epochs = 10, batchSize = 32, seed } = exampleArgs();
const fineTuneEpochs = 2;
if (seed !== undefined) setSeed(seed);

const { xTrain, yTrainOneHot: yTrain, xTest, yTestOneHot: yTest } = datasets.mnist();
const compileArgs = { optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] };
const accuracy = async (m: Model) =>
  ((await m.evaluate(xTest, yTest, { verbose: 0 })) as number[])[1]!;

const model = new Sequential();
model.add(new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
model.add(new MaxPooling2D([2, 2]));
model.add(new Flatten());
model.add(new Dense(10, { activation: 'softmax' }));
model.compile(compileArgs);
await model.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const dir = mkdtempSync(join(tmpdir(), 'keel-qat-'));
model.save(join(dir, 'float.keel'));

// Post-training static quantization of the trained float model, calibrated on 1024 images.
const calibrationData = ops.slice(xTrain, [0, 0, 0, 0], [1024, 28, 28, 1]);
const ptq = compress.quantize(model, { mode: 'static', calibrationData });
ptq.compile(compileArgs);
const ptqAccuracy = await accuracy(ptq);

// The float baseline: the same model fine-tuned as long as the QAT one, without fake quantization.
const float = loadModel(join(dir, 'float.keel'));
rmSync(dir, { recursive: true });
float.compile(compileArgs);
await float.fit(xTrain, yTrain, { epochs: fineTuneEpochs, batchSize, verbose: 0 });
const floatAccuracy = await accuracy(float);

// QAT: fine-tune with fake-quantized kernels (int8 per channel) and inputs (uint8), convert.
model.compile(compileArgs);
compress.quantizeAware(model);
await model.fit(xTrain, yTrain, { epochs: fineTuneEpochs, batchSize, verbose: 0 });
const { quantized } = compress.convertQat(model);
quantized.compile(compileArgs);
const score = (await quantized.evaluate(xTest, yTest, { verbose: 0 })) as number[];

console.log(`Float test accuracy: ${floatAccuracy}`);
console.log(`PTQ int8 test accuracy: ${ptqAccuracy}`);
console.log(`QAT int8 test accuracy: ${score[1]}`);
console.log(
  `QAT layers: ${quantized.layers.map((l) => `${l.name} (${(l.constructor as unknown as { className: string }).className})`).join(', ')}`,
);
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
