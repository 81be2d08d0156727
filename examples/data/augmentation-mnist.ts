/**
 * Acceptance experiment (issue 6): the seed CNN on 1,000 MNIST training images (100 per digit),
 * with and without augmentation layers, scored on the full canonical test set (1,996 images).
 * `npx tsx examples/data/augmentation-mnist.ts [--epochs 20] [--seeds 1,2,3]`
 */
import { datasets, type Layer, layers, Sequential, setSeed } from '../../src/index.js';
import { identityOrder, takeRows } from '../../src/models/data-adapter.js';

const { Conv2D, MaxPooling2D, Flatten, Dense, RandomRotation, RandomTranslation, RandomZoom } =
  layers;
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const epochs = Number(arg('epochs', '20'));
const seeds = arg('seeds', '1,2,3').split(',').map(Number);

const { xTrain, yTrainOneHot, xTest, yTestOneHot } = datasets.mnist();
// The canonical train split interleaves digits, so its first 1,000 rows are 100 of each.
const x = takeRows(xTrain, identityOrder(1000), 0, 1000);
const y = takeRows(yTrainOneHot, identityOrder(1000), 0, 1000);

function build(augment: boolean, seed: number): Sequential {
  const aug: Layer[] = augment
    ? [
        new RandomRotation(0.05, { seed, inputShape: [28, 28, 1] }),
        new RandomTranslation(0.1, 0.1, { seed: seed + 1 }),
        new RandomZoom(0.1, null, { seed: seed + 2 }),
      ]
    : [];
  const model = new Sequential([
    ...aug,
    new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }),
    new MaxPooling2D([2, 2]),
    new Flatten(),
    new Dense(10, { activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}

const results: Record<string, number[]> = { plain: [], augmented: [] };
for (const seed of seeds) {
  // --only plain|augmented runs one arm (to run the two side by side in separate processes).
  for (const augment of [false, true]) {
    if (arg('only', '') && arg('only', '') !== (augment ? 'augmented' : 'plain')) continue;
    setSeed(seed);
    const model = build(augment, seed);
    const t0 = Date.now();
    await model.fit(x, y, { epochs, batchSize: 32, verbose: 0 });
    const [, acc] = (await model.evaluate(xTest, yTestOneHot, { verbose: 0 })) as number[];
    const key = augment ? 'augmented' : 'plain';
    results[key]!.push(acc!);
    console.log(
      `seed ${seed} ${key.padEnd(9)} test accuracy ${acc!.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
}
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));
for (const [k, v] of Object.entries(results).filter(([, r]) => r.length > 0)) {
  console.log(
    `${k.padEnd(9)} mean ${mean(v).toFixed(4)} ± ${sd(v).toFixed(4)} over ${v.length} seeds, ${epochs} epochs, 1000 train images, 1996 test`,
  );
}
