/**
 * Hinton et al.'s MNIST distillation (2015), scaled to Keel's canonical split (8,004 train / 1,996
 * test): a 784-1200-1200-10 teacher regularized as theirs (dropout, inputs jittered by up to 2
 * pixels), and a 784-800-800-10 student without regularization, trained alone on the labels and
 * distilled from the teacher on the same, unjittered training digits (soft targets at temperature
 * T, weight 1 − alpha; the hard labels weigh alpha).
 * Prints each model's test errors, the share of the student–teacher gap the distilled student
 * closes, and the distilled student's Test loss / Test accuracy.
 * `npm run example -- distill-mnist [--epochs 20] [--seed 1]`
 */
import {
  compress,
  datasets,
  layers,
  type Model,
  Sequential,
  setSeed,
  type Tensor,
} from '../src/index.js';
import { exampleArgs } from './args.js';

const { Dense, Dropout, Flatten, RandomTranslation } = layers;
const { epochs = 20, batchSize = 128, seed = 1 } = exampleArgs();
const temperature = 8;
const alpha = 0.1;

const { xTrain, yTrain, xTest, yTest } = datasets.mnist();

/** 784-units-units-10; the teacher's version jitters its inputs and drops units (training only). */
function mlp(units: number, dropout: number): Sequential {
  const jitter = 2 / 28;
  return new Sequential([
    ...(dropout > 0
      ? [
          new RandomTranslation(jitter, jitter, {
            inputShape: [28, 28, 1],
            fillMode: 'constant',
            seed,
          }),
        ]
      : []),
    new Flatten({ inputShape: [28, 28, 1] }),
    ...(dropout > 0 ? [new Dropout(0.2)] : []),
    new Dense(units, { activation: 'relu' }),
    ...(dropout > 0 ? [new Dropout(dropout)] : []),
    new Dense(units, { activation: 'relu' }),
    ...(dropout > 0 ? [new Dropout(dropout)] : []),
    new Dense(10, { activation: 'softmax' }),
  ]);
}

/** Misclassified test digits. */
function testErrors(model: Model): number {
  const p = model.predict(xTest, { batchSize: 500 }) as Tensor;
  let errors = 0;
  for (let i = 0; i < yTest.size; i++) {
    const row = p.data.subarray(i * 10, i * 10 + 10);
    let best = 0;
    for (let k = 1; k < 10; k++) if (row[k]! > row[best]!) best = k;
    if (best !== yTest.data[i]) errors++;
  }
  return errors;
}

const compileArgs = { optimizer: 'adam', metrics: ['accuracy'] } as const;
const fitArgs = { epochs, batchSize, verbose: 0 } as const;

setSeed(seed);
const teacher = mlp(1200, 0.5);
teacher.compile({ ...compileArgs, loss: 'sparse_categorical_crossentropy' });
await teacher.fit(xTrain, yTrain, fitArgs);
const teacherErrors = testErrors(teacher);
console.log(
  `Teacher test errors: ${teacherErrors} (784-1200-1200-10, jitter and dropout, ${teacher.countParams()} parameters)`,
);

setSeed(seed + 1000);
const alone = mlp(800, 0);
alone.compile({ ...compileArgs, loss: 'sparse_categorical_crossentropy' });
await alone.fit(xTrain, yTrain, fitArgs);
const studentErrors = testErrors(alone);
console.log(
  `Student test errors: ${studentErrors} (784-800-800-10 alone, ${alone.countParams()} parameters)`,
);

setSeed(seed + 1000);
const student = mlp(800, 0);
const distiller = new compress.Distiller({ teacher, student });
distiller.compile({
  ...compileArgs,
  studentLoss: 'sparse_categorical_crossentropy',
  alpha,
  temperature,
  teacherOutputs: 'cached',
});
await distiller.fit(xTrain, yTrain, fitArgs);
const distilledErrors = testErrors(student);
console.log(`Distilled test errors: ${distilledErrors} (T = ${temperature}, alpha = ${alpha})`);
const gap = studentErrors - teacherErrors;
console.log(
  `Gap closed: ${gap > 0 ? `${(((studentErrors - distilledErrors) / gap) * 100).toFixed(0)}%` : 'n/a (the student alone is not behind the teacher)'}`,
);

const score = (await distiller.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`Test loss: ${score[0]}`);
console.log(`Test accuracy: ${score[1]}`);
