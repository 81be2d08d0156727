/**
 * Post-training dynamic int8 quantization of the seed LSTM (spam detection on SpamAssassin, as
 * spam-lstm): train in float, `compress.quantize` the LSTM and the Dense layer (int8 kernels,
 * activations ranged per call and per step), and compare test accuracy and predict throughput
 * at batch 32 (float and int8 alternated, medians).
 * `npm run example -- quantize-spam-lstm [--epochs 10] [--seed 1]`
 */
import { compress, datasets, layers, type Model, ops, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Embedding, LSTM, Dense } = layers;
const { epochs = 10, batchSize = 32, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);

const vocabSize = 10000;
const maxlen = 200;
const { xTrain, yTrain, xTest, yTest } = datasets.spamAssassinEncoded({ vocabSize, maxlen });

const model = new Sequential();
model.add(new Embedding(vocabSize, 64, { inputLength: maxlen }));
model.add(new LSTM(128, { dropout: 0.2, recurrentDropout: 0.2 }));
model.add(new Dense(1, { activation: 'sigmoid' }));
const compileArgs = {
  optimizer: 'adam',
  loss: 'binary_crossentropy',
  metrics: ['accuracy'],
} as const;
model.compile(compileArgs);
await model.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const quantized = compress.quantize(model, { mode: 'dynamic' });
quantized.compile(compileArgs);
const evaluate = async (m: Model) => (await m.evaluate(xTest, yTest, { verbose: 0 })) as number[];
const floatScore = await evaluate(model);
const score = await evaluate(quantized);

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const n = Math.min(256, xTest.shape[0]!);
const x = ops.slice(xTest, [0, 0], [n, maxlen]);
const times: [number[], number[]] = [[], []];
for (let r = 0; r < 7; r++)
  for (const [i, m] of [model, quantized].entries()) {
    const t0 = performance.now();
    m.predict(x, { batchSize: 32 });
    times[i]!.push((performance.now() - t0) / 1000);
  }
const [tf, tq] = [median(times[0]), median(times[1])];

console.log(String(compress.quantizationReport(quantized)));
console.log(`Float test accuracy: ${floatScore[1]}`);
console.log(`Int8 test accuracy: ${score[1]}`);
console.log(
  `Predict at batch 32: float ${(n / tf).toFixed(0)} samples/s, int8 ${(n / tq).toFixed(0)} samples/s`,
);
console.log(`Int8 speed-up at batch 32: ${tf / tq}`);
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
