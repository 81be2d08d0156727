/**
 * Two compressions chained: distil a CNN teacher on MNIST into a small MLP student
 * (784-128-10), then quantize the student's Dense layers to int8 (`compress.quantize`, dynamic).
 * Prints the teacher's, the distilled float student's and the int8 student's test accuracy, the
 * parameter counts and the file sizes; Test loss / Test accuracy are the int8 student's.
 * `npm run example -- distill-quantize [--epochs 4] [--seed 1]`
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, datasets, layers, type Model, Sequential, setSeed } from '../src/index.js';
import { exampleArgs } from './args.js';

const { Conv2D, Dense, Dropout, Flatten, MaxPooling2D } = layers;
const { epochs = 4, batchSize = 64, seed = 1 } = exampleArgs();
setSeed(seed);

const { xTrain, yTrain, xTest, yTest } = datasets.mnist();
const compileArgs = {
  optimizer: 'adam',
  loss: 'sparse_categorical_crossentropy',
  metrics: ['accuracy'],
} as const;
const evaluate = async (m: Model) => (await m.evaluate(xTest, yTest, { verbose: 0 })) as number[];

const teacher = new Sequential([
  new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }),
  new MaxPooling2D([2, 2]),
  new Conv2D(64, [3, 3], { activation: 'relu' }),
  new MaxPooling2D([2, 2]),
  new Flatten(),
  new Dropout(0.3),
  new Dense(10, { activation: 'softmax' }),
]);
teacher.compile(compileArgs);
await teacher.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });

const student = new Sequential([
  new Flatten({ inputShape: [28, 28, 1] }),
  new Dense(128, { activation: 'relu' }),
  new Dense(10, { activation: 'softmax' }),
]);
const distiller = new compress.Distiller({ teacher, student });
distiller.compile({
  optimizer: 'adam',
  studentLoss: 'sparse_categorical_crossentropy',
  metrics: ['accuracy'],
  alpha: 0.1,
  temperature: 4,
  teacherOutputs: 'cached',
});
await distiller.fit(xTrain, yTrain, { epochs: 2 * epochs, batchSize, verbose: 0 });

const int8 = compress.quantize(student, { mode: 'dynamic' });
int8.compile(compileArgs);
const dir = mkdtempSync(join(tmpdir(), 'keel-distill-quantize-'));
teacher.save(join(dir, 'teacher.keel'));
distiller.save(join(dir, 'student.keel'));
int8.save(join(dir, 'int8.keel'));
const kb = (name: string) => (statSync(join(dir, name)).size / 1024).toFixed(0);
console.log(
  `Teacher (CNN): ${teacher.countParams()} parameters, ${kb('teacher.keel')} KiB, test accuracy ${(await evaluate(teacher))[1]}`,
);
console.log(
  `Distilled student (784-128-10): ${student.countParams()} parameters, ${kb('student.keel')} KiB, test accuracy ${(await evaluate(distiller))[1]}`,
);
const score = await evaluate(int8);
console.log(`Int8 student: ${kb('int8.keel')} KiB, test accuracy ${score[1]}`);
rmSync(dir, { recursive: true });
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
