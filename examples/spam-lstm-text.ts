/**
 * The seed LSTM with its text preprocessing inside the model: TextVectorization is the first
 * layer, so the model trains, evaluates, saves and predicts on raw email strings (issue 20).
 * The vocabulary comes from `adapt` on the training emails (Keras's standardization and
 * post-padding, not spam-lstm's canonical encoding). `npm run example -- spam-lstm-text [--epochs 10]`
 */
import { datasets, layers, Sequential, setSeed, text } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Embedding, LSTM, Dense } = layers;
const { epochs = 10, batchSize = 32, seed } = exampleArgs();
if (seed !== undefined) setSeed(seed);

const vocabSize = 10000;
const { xTrain, yTrain, xTest, yTest } = datasets.spamAssassin();
const vectorize = new text.TextVectorization({ maxTokens: vocabSize, outputSequenceLength: 200 });
vectorize.adapt(xTrain);

const model = new Sequential([
  vectorize,
  new Embedding(vocabSize, 64),
  new LSTM(128, { dropout: 0.2, recurrentDropout: 0.2 }),
  new Dense(1, { activation: 'sigmoid' }),
]);
model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
await model.fit(xTrain, yTrain, { epochs, batchSize });
const score = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];

console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
