/**
 * Distils the seed spam LSTM (Embedding 10,000×64, LSTM 128, 739k parameters) into a
 * bag-of-embeddings student (Embedding 10,000×6, average over the email, Dense 16, Dense 1): over
 * 10x fewer parameters and many times faster at batch 1. The same student is also trained alone on
 * the labels. Prints both accuracies, the parameter and latency ratios, and the distilled student's
 * Test loss / Test accuracy. `npm run example -- distill-spam [--epochs 10] [--seed 1]`
 */
import { compress, datasets, layers, type Model, ops, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Embedding, LSTM, Dense, GlobalAveragePooling1D } = layers;
const { epochs = 10, batchSize = 32, seed = 1 } = exampleArgs();
const temperature = 2;
const alpha = 0.5;
const vocabSize = 10000;
const maxlen = 200;
const { xTrain, yTrain, xTest, yTest } = datasets.spamAssassinEncoded({ vocabSize, maxlen });

function bagOfEmbeddings(): Sequential {
  return new Sequential([
    new Embedding(vocabSize, 6, { inputLength: maxlen }),
    new GlobalAveragePooling1D(),
    new Dense(16, { activation: 'relu' }),
    new Dense(1, { activation: 'sigmoid' }),
  ]);
}

async function accuracy(model: Model): Promise<number> {
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  return ((await model.evaluate(xTest, yTest, { verbose: 0 })) as number[])[1]!;
}

/** Median batch-1 predict time in ms over the first `n` test emails. */
function latency(model: Model, n = 100): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = ops.slice(xTest, [i, 0], [1, maxlen]);
    const start = process.hrtime.bigint();
    model.predict(x);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[n >> 1]!;
}

setSeed(seed);
const teacher = new Sequential();
teacher.add(new Embedding(vocabSize, 64, { inputLength: maxlen }));
teacher.add(new LSTM(128, { dropout: 0.2, recurrentDropout: 0.2 }));
teacher.add(new Dense(1, { activation: 'sigmoid' }));
teacher.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
await teacher.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const teacherAccuracy = await accuracy(teacher);

setSeed(seed + 1000);
const alone = bagOfEmbeddings();
alone.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
await alone.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const aloneAccuracy = await accuracy(alone);

setSeed(seed + 1000);
const student = bagOfEmbeddings();
const distiller = new compress.Distiller({ teacher, student });
distiller.compile({
  optimizer: 'adam',
  studentLoss: 'binary_crossentropy',
  metrics: ['accuracy'],
  alpha,
  temperature,
  teacherOutputs: 'cached',
});
await distiller.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
const score = (await distiller.evaluate(xTest, yTest, { verbose: 0 })) as number[];

// Alternate the two models, so both see the same machine load.
let teacherMs = 0;
let studentMs = 0;
for (let round = 0; round < 3; round++) {
  teacherMs += latency(teacher);
  studentMs += latency(student);
}
const pct = (a: number) => `${(a * 100).toFixed(2)}%`;
console.log(
  `Teacher (LSTM): ${teacher.countParams()} parameters, test accuracy ${pct(teacherAccuracy)}`,
);
console.log(
  `Student alone: ${alone.countParams()} parameters, test accuracy ${pct(aloneAccuracy)}`,
);
console.log(
  `Distilled student: test accuracy ${pct(score[1]!)} (T = ${temperature}, alpha = ${alpha})`,
);
console.log(
  `Student vs teacher: ${(teacher.countParams() / student.countParams()).toFixed(1)}x fewer parameters, ` +
    `${(teacherMs / studentMs).toFixed(1)}x lower batch-1 latency (${(teacherMs / 3).toFixed(2)} vs ${(studentMs / 3).toFixed(3)} ms)`,
);
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
