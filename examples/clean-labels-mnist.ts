/**
 * Does cleaning pay off? (issue 23). The seed CNN on a seeded subset of MNIST whose training labels
 * get `--noise` uniform (a different class at random) or asymmetric (class-conditional: 1↔7, 3↔5,
 * 2→7, 6→0, 8→3, 4→9, ...) noise; out-of-fold probabilities (`--folds`, `--fold-epochs`) and
 * confident learning; then a fresh model trained with the same `--epochs` on each of: the noisy
 * labels (none), pruned, relabelled, reweighted, and the true labels (clean). Prints the test
 * accuracy of each, the noise-matrix estimate's largest error, and the share of the noisy→clean gap
 * the best method recovers; the last line is JSON for aggregation.
 * `npm run example -- clean-labels-mnist --noise 0.2 --kind uniform --method all --seed 1
 *   [--train 3000] [--test 2000] [--epochs 3] [--folds 3] [--fold-epochs 3]`
 */
import { cleaning, datasets, layers, Sequential, setSeed, toCategorical } from '../src/index.js';
import { takeRows } from '../src/models/data-adapter.js';
import { Rng } from '../src/random/rng.js';
import { Tensor } from '../src/tensor/tensor.js';

const { Conv2D, MaxPooling2D, Flatten, Dense } = layers;
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const noiseLevel = Number(opt('noise', '0.2'));
const kind = opt('kind', 'uniform');
const method = opt('method', 'all');
const seed = Number(opt('seed', '1'));
const trainSize = Number(opt('train', '3000'));
const testSize = Number(opt('test', '2000'));
const epochs = Number(opt('epochs', '3'));
const folds = Number(opt('folds', '3'));
const foldEpochs = Number(opt('fold-epochs', '3'));
const METHODS = ['none', 'prune', 'relabel', 'reweight', 'clean'] as const;
type Method = (typeof METHODS)[number];
if (!['uniform', 'asymmetric'].includes(kind))
  throw new Error(`--kind uniform|asymmetric, got ${kind}`);
if (method !== 'all' && !METHODS.includes(method as Method))
  throw new Error(`--method all|${METHODS.join('|')}, got ${method}`);
if (!(noiseLevel >= 0 && noiseLevel < 1)) throw new Error(`--noise in [0, 1), got ${noiseLevel}`);
/** Asymmetric noise: each class flips to a look-alike. */
const LOOKALIKE = [6, 7, 7, 5, 9, 3, 0, 1, 3, 4];

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

const t0 = Date.now();
const mnist = datasets.mnist();
const rng = new Rng(seed);
const pick = rng.permutation(mnist.xTrain.shape[0]!).slice(0, trainSize);
const xTrain = takeRows(mnist.xTrain, pick, 0, pick.length);
const truth = Int32Array.from(pick, (i) => mnist.yTrain.data[i]!);
const xTest = takeRows(
  mnist.xTest,
  Int32Array.from({ length: testSize }, (_, i) => i),
  0,
  testSize,
);
const yTest = takeRows(
  mnist.yTestOneHot,
  Int32Array.from({ length: testSize }, (_, i) => i),
  0,
  testSize,
);
const noisy = Int32Array.from(truth);
for (let i = 0; i < noisy.length; i++) {
  if (rng.uniform() >= noiseLevel) continue;
  noisy[i] = kind === 'uniform' ? (truth[i]! + 1 + rng.int(9)) % 10 : LOOKALIKE[truth[i]!]!;
}
const oneHot = (labels: Int32Array) =>
  toCategorical(new Tensor(labels, [labels.length], 'int32'), 10);
const yNoisy = oneHot(noisy);
const flipped = new Set(Array.from(noisy.keys()).filter((i) => noisy[i] !== truth[i]));
console.log(
  `${kind} noise ${noiseLevel}: ${flipped.size} of ${trainSize} training labels wrong; seed ${seed}, ${epochs} epochs, test ${testSize}`,
);

const wanted: Method[] = method === 'all' ? [...METHODS] : [method as Method];
const needsIssues = wanted.some((m) => m === 'prune' || m === 'relabel' || m === 'reweight');
let probs: Tensor | null = null;
let issues: cleaning.LabelIssues | null = null;
if (needsIssues) {
  setSeed(seed);
  probs = await cleaning.outOfFoldProbabilities(seedCnn, xTrain, yNoisy, {
    folds,
    seed,
    fit: { epochs: foldEpochs, batchSize: 32 },
  });
  issues = cleaning.findLabelIssues(probs, noisy);
  const hits = issues.indices.filter((i) => flipped.has(i)).length;
  // Error of the estimated P(given | true) against the noise actually injected.
  const counts = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let i = 0; i < trainSize; i++) counts[noisy[i]!]![truth[i]!]!++;
  const perTrue = Array.from({ length: 10 }, (_, j) => counts.reduce((s, r) => s + r[j]!, 0));
  let worst = 0;
  for (let i = 0; i < 10; i++)
    for (let j = 0; j < 10; j++)
      worst = Math.max(
        worst,
        Math.abs(issues.noise.noiseMatrix[i]![j]! - counts[i]![j]! / perTrue[j]!),
      );
  console.log(
    `flagged ${issues.indices.length}: precision ${(hits / Math.max(1, issues.indices.length)).toFixed(3)} recall ${(hits / Math.max(1, flipped.size)).toFixed(3)}; estimated noise rate ${issues.noiseRate.toFixed(3)} (true ${(flipped.size / trainSize).toFixed(3)}); noise matrix max error ${worst.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
}

async function train(m: Method): Promise<number> {
  let data: { x: Tensor; y: Tensor; sampleWeight?: Tensor } = { x: xTrain, y: yNoisy };
  const acted = { issues: issues! };
  if (m === 'clean') data = { x: xTrain, y: oneHot(truth) };
  if (m === 'prune') data = cleaning.pruneLabelIssues(xTrain, yNoisy, probs!, acted);
  if (m === 'relabel') data = cleaning.relabelIssues(xTrain, yNoisy, probs!, acted);
  if (m === 'reweight') data = cleaning.reweightLabels(xTrain, yNoisy, probs!, acted);
  setSeed(seed);
  const model = seedCnn();
  await model.fit(data.x, data.y, {
    epochs,
    batchSize: 32,
    verbose: 0,
    sampleWeight: data.sampleWeight,
  });
  const [, acc] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
  console.log(
    `${m.padEnd(9)} ${String(data.x.shape[0]).padStart(5)} samples  test accuracy ${acc!.toFixed(4)}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
  return acc!;
}
const result: Partial<Record<Method, number>> = {};
for (const m of wanted) result[m] = await train(m);
const { none, clean } = result;
const cleaned = (['prune', 'relabel', 'reweight'] as const).filter((m) => result[m] !== undefined);
if (none !== undefined && clean !== undefined && cleaned.length > 0) {
  const best = cleaned.reduce((a, b) => (result[a]! >= result[b]! ? a : b));
  const gap = clean - none;
  console.log(
    `best ${best}: recovers ${gap > 0 ? (((result[best]! - none) / gap) * 100).toFixed(0) : 'n/a'}% of the noisy→clean gap (${(gap * 100).toFixed(2)} points)`,
  );
}
console.log(
  JSON.stringify({ kind, noise: noiseLevel, seed, trainSize, testSize, epochs, ...result }),
);
console.log(`Test accuracy: ${result[wanted[wanted.length - 1]!]}`);
