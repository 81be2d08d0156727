/**
 * Acceptance experiment (issue 6): confident learning on MNIST with 10% of the training labels
 * flipped (seeded). Out-of-fold probabilities from k-fold training of the seed CNN, suspects by
 * cleanlab's method, their precision and recall against the flips, and the test accuracy of the
 * seed CNN trained on the noisy, the cleaned (suspects removed) and the original labels.
 * `npx tsx examples/data/label-errors-mnist.ts [--folds 3] [--fold-epochs 3] [--epochs 3] [--seed 1]`
 */
import { cleaning, datasets, layers, Sequential, setSeed, toCategorical } from '../../src/index.js';
import { takeRows } from '../../src/models/data-adapter.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;
const argv = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const folds = arg('folds', 3);
const foldEpochs = arg('fold-epochs', 3);
const epochs = arg('epochs', 3);
const seed = arg('seed', 1);

function seedCnn(): Sequential {
  const model = new Sequential([
    new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }),
    new MaxPooling2D([2, 2]),
    new Flatten(),
    new Dense(10, { activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}

const { xTrain, yTrain, xTest, yTestOneHot } = datasets.mnist();
const n = xTrain.shape[0]!;
const rng = new Rng(seed);
const noisy = Int32Array.from(yTrain.data);
const flipped = new Set<number>();
for (const i of rng.permutation(n).slice(0, Math.round(0.1 * n))) {
  noisy[i] = (noisy[i]! + 1 + rng.int(9)) % 10; // a different class, uniformly
  flipped.add(i);
}
const oneHot = (labels: Int32Array) =>
  toCategorical(new Tensor(labels, [labels.length], 'int32'), 10);
const t0 = Date.now();
if (argv.includes('--only-clean')) {
  // The baseline alone (it does not depend on the suspects), to run beside the main experiment.
  await score(
    'original clean labels',
    Int32Array.from(yTrain.data),
    Int32Array.from({ length: n }, (_, i) => i),
  );
  process.exit(0);
}
setSeed(seed);
const probs = await cleaning.outOfFoldProbabilities(seedCnn, xTrain, oneHot(noisy), {
  folds,
  seed,
  fit: { epochs: foldEpochs, batchSize: 32 },
  onFold: (f) =>
    console.log(`fold ${f + 1}/${folds} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`),
});
const issues = cleaning.findLabelIssues(probs, noisy);
const hits = issues.indices.filter((i) => flipped.has(i)).length;
console.log(
  `flipped ${flipped.size} of ${n} labels; flagged ${issues.indices.length} suspects; estimated noise rate ${issues.noiseRate.toFixed(4)}`,
);
console.log(
  `precision ${(hits / issues.indices.length).toFixed(4)}  recall ${(hits / flipped.size).toFixed(4)}`,
);
const top = issues.indices.slice(0, 200).filter((i) => flipped.has(i)).length;
console.log(`precision of the 200 most suspicious: ${(top / 200).toFixed(3)}`);

async function score(name: string, labels: Int32Array, keep: Int32Array): Promise<void> {
  setSeed(seed);
  const model = seedCnn();
  const x = takeRows(xTrain, keep, 0, keep.length);
  const y = takeRows(oneHot(labels), keep, 0, keep.length);
  await model.fit(x, y, { epochs, batchSize: 32, verbose: 0 });
  const [, acc] = (await model.evaluate(xTest, yTestOneHot, { verbose: 0 })) as number[];
  console.log(
    `${name.padEnd(22)} ${String(keep.length).padStart(5)} samples  test accuracy ${acc!.toFixed(4)}`,
  );
}
const all = Int32Array.from({ length: n }, (_, i) => i);
const suspects = new Set(issues.indices);
await score('noisy labels', noisy, all);
await score(
  'cleaned (suspects cut)',
  noisy,
  all.filter((i) => !suspects.has(i)),
);
await score('original clean labels', Int32Array.from(yTrain.data), all);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
