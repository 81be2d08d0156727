/**
 * Hinton et al.'s MNIST distillation (2015), scaled to Keel's canonical split (8,004 train / 1,996
 * test). The teacher is a CNN regularized as Hinton's teacher was (inputs jittered by up to
 * 2 pixels, dropout); the student is a 784-300-300-10 MLP without regularization. The student is
 * trained alone on the labels, then, from the same initial weights, distilled: soft targets of the
 * teacher at temperature T (weight 1 − alpha) plus the hard labels (weight alpha), on a transfer
 * set of the training digits and jittered copies of them (Hinton's transfer set can be any inputs
 * the teacher labels; the student alone sees no jitter, as Hinton's did not). The teacher's
 * outputs are cached once over the transfer set.
 * T and alpha were chosen with `--tune`: the last 1,000 training digits are held out as a
 * validation set, the teacher and students train on the other 7,004, and a small grid is scored on
 * the validation errors (the test set is never used for the choice).
 * Prints each model's test errors, the share of the student–teacher gap the distilled student
 * closes, and the distilled student's Test loss / Test accuracy.
 * `npm run example -- distill-mnist [--seed 1] [--epochs 12]`; `... distill-mnist --tune 1`
 */
import {
  compress,
  datasets,
  layers,
  type Model,
  ops,
  Sequential,
  setSeed,
  type Tensor,
} from '../src/index.js';

const { Conv2D, Dense, Dropout, Flatten, MaxPooling2D, RandomTranslation } = layers;

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${name} needs a non-negative integer, got '${argv[i + 1]}'`);
  return value;
};
for (let i = 0; i < argv.length; i += 2)
  if (
    !['--seed', '--epochs', '--teacher-epochs', '--copies', '--tune', '--grid'].includes(argv[i]!)
  )
    throw new Error(
      `Unknown option '${argv[i]}'. Options: --seed S, --epochs N (student), --teacher-epochs N, --copies K (jittered copies in the transfer set), --tune 1, --grid 1 (every T, alpha of the tuning grid)`,
    );
const seed = flag('seed', 1);
const epochs = flag('epochs', 12);
const teacherEpochs = flag('teacher-epochs', 8);
const copies = flag('copies', 2);
const tune = flag('tune', 0) === 1;
const grid = tune || flag('grid', 0) === 1;
const batchSize = 128;
/**
 * Chosen on the validation split (see the file's comment): best of T 2, 4, 8 at alpha 0.1 and T 4
 * at alpha 0.5 in a first grid, with a smaller CNN teacher (16 and 32 filters of 5x5).
 */
const temperature = 4;
const alpha = 0.5;
const jitter = 2 / 28;

const mnist = datasets.mnist();
const rows = (t: Tensor, start: number, end: number) =>
  ops.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [end - start, ...t.shape.slice(1)]);
// --tune: train on the first 7,004 training digits, score on the last 1,000.
const nTrain = tune ? mnist.xTrain.shape[0]! - 1000 : mnist.xTrain.shape[0]!;
const xTrain = rows(mnist.xTrain, 0, nTrain);
const yTrain = rows(mnist.yTrain, 0, nTrain);
const xEval = tune ? rows(mnist.xTrain, nTrain, mnist.xTrain.shape[0]!) : mnist.xTest;
const yEval = tune ? rows(mnist.yTrain, nTrain, mnist.yTrain.shape[0]!) : mnist.yTest;
const evalName = tune ? 'validation' : 'test';

/** Conv 32@3x3, pool, conv 64@3x3, pool, dense 128, softmax; dropout, and jittered inputs in training. */
function cnnTeacher(): Sequential {
  return new Sequential([
    new RandomTranslation(jitter, jitter, { inputShape: [28, 28, 1], fillMode: 'constant', seed }),
    new Conv2D(32, [3, 3], { activation: 'relu' }),
    new MaxPooling2D([2, 2]),
    new Conv2D(64, [3, 3], { activation: 'relu' }),
    new MaxPooling2D([2, 2]),
    new Flatten(),
    new Dropout(0.25),
    new Dense(128, { activation: 'relu' }),
    new Dropout(0.5),
    new Dense(10, { activation: 'softmax' }),
  ]);
}

/** 784-300-300-10, no regularization. */
function mlpStudent(): Sequential {
  return new Sequential([
    new Flatten({ inputShape: [28, 28, 1] }),
    new Dense(300, { activation: 'relu' }),
    new Dense(300, { activation: 'relu' }),
    new Dense(10, { activation: 'softmax' }),
  ]);
}

/** Misclassified digits of the evaluation set. */
function errors(model: Model): number {
  const p = model.predict(xEval, { batchSize: 500 }) as Tensor;
  let wrong = 0;
  for (let i = 0; i < yEval.size; i++) {
    const row = p.data.subarray(i * 10, i * 10 + 10);
    let best = 0;
    for (let k = 1; k < 10; k++) if (row[k]! > row[best]!) best = k;
    if (best !== yEval.data[i]) wrong++;
  }
  return wrong;
}

const compileArgs = { optimizer: 'adam', metrics: ['accuracy'] } as const;
const fitArgs = { batchSize, verbose: 0 } as const;
const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

setSeed(seed);
const teacher = cnnTeacher();
teacher.compile({ ...compileArgs, loss: 'sparse_categorical_crossentropy' });
await teacher.fit(xTrain, yTrain, { ...fitArgs, epochs: teacherEpochs });
const teacherErrors = errors(teacher);
console.log(
  `Teacher ${evalName} errors: ${teacherErrors} (CNN, jitter and dropout, ${teacher.countParams()} parameters, ${clock()})`,
);

setSeed(seed + 1000);
const alone = mlpStudent();
alone.compile({ ...compileArgs, loss: 'sparse_categorical_crossentropy' });
await alone.fit(xTrain, yTrain, { ...fitArgs, epochs });
const studentErrors = errors(alone);
console.log(
  `Student ${evalName} errors: ${studentErrors} (784-300-300-10 alone, ${alone.countParams()} parameters, ${clock()})`,
);

// The transfer set: the training digits and `copies` jittered copies of them (same labels).
const jitterLayer = new RandomTranslation(jitter, jitter, {
  inputShape: [28, 28, 1],
  fillMode: 'constant',
  seed: seed + 2000,
});
const xTransfer = ops.concat([
  xTrain,
  ...Array.from({ length: copies }, () => jitterLayer.apply(xTrain, { training: true }) as Tensor),
]);
const yTransfer = ops.concat(Array.from({ length: copies + 1 }, () => yTrain));
// The student sees each training digit as often as the student alone did (epochs passes).
const transferEpochs = Math.max(1, Math.round(epochs / (copies + 1)));

/** Distils a fresh student (the student alone's initial weights) at T and alpha; its errors. */
async function distil(t: number, a: number): Promise<{ model: compress.Distiller; wrong: number }> {
  setSeed(seed + 1000);
  const student = mlpStudent();
  const distiller = new compress.Distiller({ teacher, student });
  distiller.compile({
    ...compileArgs,
    studentLoss: 'sparse_categorical_crossentropy',
    alpha: a,
    temperature: t,
    teacherOutputs: 'cached',
  });
  await distiller.fit(xTransfer, yTransfer, { ...fitArgs, epochs: transferEpochs });
  return { model: distiller, wrong: errors(student) };
}

const gapClosed = (distilled: number) => {
  const gap = studentErrors - teacherErrors;
  return gap > 0
    ? `${(((studentErrors - distilled) / gap) * 100).toFixed(0)}%`
    : 'n/a (the student alone is not behind the teacher)';
};

if (grid) {
  for (const [t, a] of [
    [2, 0.5],
    [4, 0.5],
    [4, 0.2],
    [8, 0.2],
  ] as const) {
    const { wrong } = await distil(t, a);
    console.log(
      `T = ${t}, alpha = ${a}: distilled ${evalName} errors ${wrong}, gap closed ${gapClosed(wrong)} (${clock()})`,
    );
  }
} else {
  const { model, wrong } = await distil(temperature, alpha);
  console.log(
    `Distilled ${evalName} errors: ${wrong} (T = ${temperature}, alpha = ${alpha}, transfer set ${xTransfer.shape[0]} digits, ${clock()})`,
  );
  console.log(`Gap closed: ${gapClosed(wrong)}`);
  const score = (await model.evaluate(xEval, yEval, { verbose: 0 })) as number[];
  console.log(`Test loss: ${score[0]}`);
  console.log(`Test accuracy: ${score[1]}`);
}
