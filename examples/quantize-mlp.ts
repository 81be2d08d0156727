/**
 * Post-training dynamic int8 quantization of LeNet-300-100 (784-300-100-10) on MNIST: train in
 * float, `compress.quantize` every Dense, and compare accuracy, file size and predict speed
 * (batch 256 throughput and batch-1 latency, float and int8 alternated, medians).
 * `npm run example -- quantize-mlp [--epochs 3] [--seed 1]`
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, datasets, layers, type Model, ops, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Dense, Flatten } = layers;
const { epochs = 3, batchSize = 64, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);

const { xTrain, yTrainOneHot: yTrain, xTest, yTestOneHot: yTest } = datasets.mnist();

const model = new Sequential([
  new Flatten({ inputShape: [28, 28, 1] }),
  new Dense(300, { activation: 'relu' }),
  new Dense(100, { activation: 'relu' }),
  new Dense(10, { activation: 'softmax' }),
]);
const compileArgs = {
  optimizer: 'adam',
  loss: 'categorical_crossentropy',
  metrics: ['accuracy'],
} as const;
model.compile(compileArgs);
await model.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const quantized = compress.quantize(model, { mode: 'dynamic' });
quantized.compile(compileArgs);
const evaluate = async (m: Model) => (await m.evaluate(xTest, yTest, { verbose: 0 })) as number[];
const floatScore = await evaluate(model);
const score = await evaluate(quantized);

const dir = mkdtempSync(join(tmpdir(), 'keel-quantize-'));
model.save(join(dir, 'float.keel'));
quantized.save(join(dir, 'int8.keel'));
const size = (name: string) => statSync(join(dir, name)).size;
const ratio = size('float.keel') / size('int8.keel');
rmSync(dir, { recursive: true });

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
/** Seconds per call of `run` for each model, alternating the two `rounds` times. */
function timeAlternated(run: (m: Model) => void, rounds: number): [number, number] {
  const times: [number[], number[]] = [[], []];
  for (let r = 0; r < rounds; r++)
    for (const [i, m] of [model, quantized].entries()) {
      const t0 = performance.now();
      run(m);
      times[i]!.push((performance.now() - t0) / 1000);
    }
  return [median(times[0]), median(times[1])];
}
const x1792 = ops.slice(xTest, [0, 0, 0, 0], [1792, 28, 28, 1]);
const [float256, int256] = timeAlternated((m) => m.predict(x1792, { batchSize: 256 }), 7);
const one = ops.slice(xTest, [0, 0, 0, 0], [1, 28, 28, 1]);
const [float1, int1] = timeAlternated((m) => m.predict(one), 201);

console.log(String(compress.quantizationReport(quantized)));
console.log(`Float test accuracy: ${floatScore[1]}`);
console.log(`Int8 test accuracy: ${score[1]}`);
console.log(`File size ratio: ${ratio}`);
console.log(
  `Predict at batch 256: float ${(1792 / float256).toFixed(0)} samples/s, int8 ${(1792 / int256).toFixed(0)} samples/s`,
);
console.log(
  `Batch-1 latency: float ${(float1 * 1e6).toFixed(0)} us, int8 ${(int1 * 1e6).toFixed(0)} us`,
);
console.log(`Int8 speed-up at batch 256: ${float256 / int256}`);
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
