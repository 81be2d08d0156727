/**
 * Issue 20's optimizer acceptance: the seed CNN (examples/mnist-cnn.ts: same model, data, batch
 * size and epochs as `npm start`) trained once per optimizer from the same initial weights (setSeed),
 * each at Keras's default learning rate unless a rate is given as name=lr. Each run appends one JSON
 * line (optimizer, lr, test accuracy, seconds) to the results file; `--report` prints the table with
 * the difference to Adam in points.
 * `flock /tmp/keel-bench.lock npx tsx scripts/optimizer-acceptance.ts --out opt.jsonl`
 * `npx tsx scripts/optimizer-acceptance.ts --optimizers adam,adadelta=1 --epochs 1 --out opt.jsonl`
 * `npx tsx scripts/optimizer-acceptance.ts --report opt.jsonl`
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { datasets, layers, optimizers, Sequential, setSeed } from '../src/index.js';

const DEFAULT = 'adam,sgd,rmsprop,nadam,adagrad,adadelta,adamax,lion,adafactor,ftrl';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function report(file: string): void {
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { optimizer: string; lr: number; accuracy: number; seconds: number },
    );
  const adam = rows.find((r) => r.optimizer === 'adam');
  console.log('| optimizer | learning rate | test accuracy | vs Adam (points) | seconds |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const diff = adam ? ((r.accuracy - adam.accuracy) * 100).toFixed(2) : 'n/a';
    console.log(
      `| ${r.optimizer} | ${r.lr} | ${(r.accuracy * 100).toFixed(2)}% | ${diff} | ${r.seconds.toFixed(0)} |`,
    );
  }
}

const reportFile = arg('--report');
if (reportFile) {
  report(reportFile);
} else {
  const out = arg('--out') ?? 'optimizer-acceptance.jsonl';
  const epochs = Number(arg('--epochs') ?? 10);
  const seed = Number(arg('--seed') ?? 1);
  const { xTrain, yTrainOneHot: yTrain, xTest, yTestOneHot: yTest } = datasets.mnist();
  for (const spec of (arg('--optimizers') ?? DEFAULT).split(',')) {
    const [name, lrText] = spec.split('=') as [string, string | undefined];
    setSeed(seed);
    const opt = optimizers.getOptimizer(name as optimizers.OptimizerName);
    if (lrText !== undefined) opt.learningRate = Number(lrText);
    const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;
    const model = new Sequential();
    model.add(new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
    model.add(new MaxPooling2D([2, 2]));
    model.add(new Flatten());
    model.add(new Dense(10, { activation: 'softmax' }));
    model.compile({ optimizer: opt, loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const start = performance.now();
    await model.fit(xTrain, yTrain, { epochs, batchSize: 32, verbose: 0 });
    const score = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
    const row = {
      optimizer: name,
      lr: opt.learningRate,
      epochs,
      accuracy: score[1]!,
      loss: score[0]!,
      seconds: (performance.now() - start) / 1000,
    };
    console.log(JSON.stringify(row));
    appendFileSync(out, `${JSON.stringify(row)}\n`);
  }
}
