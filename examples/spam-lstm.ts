/**
 * The seed LSTM program: spam detection on the SpamAssassin emails, line for line with the Keras
 * original (see README). `npm run example -- spam-lstm [--epochs 10] [--seed 1]`
 */
import { datasets, layers, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Embedding, LSTM, Dense } = layers;
const { epochs = 10, batchSize = 32, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);

const vocabSize = 10000;
const embeddingDim = 64;
const maxlen = 200;
const { xTrain, yTrain, xTest, yTest } = datasets.spamAssassinEncoded({ vocabSize, maxlen });

const model = new Sequential();
model.add(new Embedding(vocabSize, embeddingDim, { inputLength: maxlen }));
model.add(new LSTM(128, { dropout: 0.2, recurrentDropout: 0.2 }));
model.add(new Dense(1, { activation: 'sigmoid' }));
model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
await model.fit(xTrain, yTrain, { epochs, batchSize });
const score = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];

console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
