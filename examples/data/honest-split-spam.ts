/**
 * Honest splits (issue 23): the spam LSTM's test accuracy on SpamAssassin's canonical split next
 * to a leakage-free split of the same 6,046 emails, where exact and near duplicates (word
 * 3-shingle Jaccard >= 0.8, MinHash + LSH) are grouped by union-find and each group stays on one
 * side (`cleaning.leakageFreeSplit`, same test size). Also prints how many test emails have a near
 * duplicate in training under each split. Same model, vocabulary rule, epochs and seed on both.
 * `npx tsx examples/data/honest-split-spam.ts [--epochs 2] [--units 32] [--maxlen 100] [--seed 1]`
 * (the seed program's LSTM is 128 units over 200 tokens for 10 epochs; the defaults are smaller
 * so that it runs in minutes on a shared machine).
 */
import { cleaning, datasets, layers, Sequential, setSeed } from '../../src/index.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { padSequences } from '../../src/text/pad-sequences.js';

const { Embedding, LSTM, Dense } = layers;
const argv = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const epochs = arg('epochs', 2);
const units = arg('units', 32);
const maxlen = arg('maxlen', 100);
const seed = arg('seed', 1);
const threshold = arg('threshold', 0.8);
const vocabSize = 10000;

const t0 = Date.now();
const spam = datasets.spamAssassin();
const texts = [...spam.xTrain, ...spam.xTest];
const labels = [...spam.yTrain.data, ...spam.yTest.data];
const nTrain = spam.xTrain.length;
const canonical = {
  train: Int32Array.from({ length: nTrain }, (_, i) => i),
  test: Int32Array.from({ length: spam.xTest.length }, (_, i) => nTrain + i),
};
const honest = cleaning.leakageFreeSplit(texts, {
  threshold,
  testFraction: spam.xTest.length / texts.length,
  seed,
});
console.log(
  `${texts.length} emails; ${honest.pairs.length} exact or near-duplicate pairs in ${texts.length - new Set(honest.groups).size} merges (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
);

/** Test emails with a training email of Jaccard >= threshold (exact copies included). */
function leaked(split: { train: Int32Array; test: Int32Array }): number {
  const pick = (ix: Int32Array) => [...ix].map((i) => texts[i]!);
  const pairs = cleaning.nearDuplicateTexts(pick(split.train), pick(split.test), { threshold });
  return new Set(pairs.map((p) => p.j)).size;
}

/** The canonical encoding rule, with the vocabulary taken from this split's training emails. */
function encode(split: { train: Int32Array; test: Int32Array }): Tensor[] {
  const tokens = texts.map(datasets.spamTokens);
  const counts = new Map<string, number>();
  for (const i of split.train) for (const t of tokens[i]!) counts.set(t, (counts.get(t) ?? 0) + 1);
  // Map order is first appearance, and the sort is stable: ties keep it.
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, vocabSize - 2);
  const ids = new Map(top.map(([t], i) => [t, i + 2]));
  const x = (ix: Int32Array) =>
    padSequences(
      [...ix].map((i) => tokens[i]!.map((t) => ids.get(t) ?? 1)),
      { maxlen },
    );
  const y = (ix: Int32Array) => tensor([...ix].map((i) => labels[i]!));
  return [x(split.train), y(split.train), x(split.test), y(split.test)];
}

async function accuracy(split: { train: Int32Array; test: Int32Array }): Promise<number> {
  const [xTrain, yTrain, xTest, yTest] = encode(split);
  setSeed(seed);
  const model = new Sequential([
    new Embedding(vocabSize, 32, { inputLength: maxlen }),
    new LSTM(units),
    new Dense(1, { activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  await model.fit(xTrain!, yTrain!, { epochs, batchSize: 32, verbose: 0 });
  const [, acc] = (await model.evaluate(xTest!, yTest!, { verbose: 0 })) as number[];
  return acc!;
}

for (const [name, split] of [
  ['canonical', canonical],
  ['leakage-free', honest],
] as const) {
  const leaks = leaked(split);
  const acc = await accuracy(split);
  console.log(
    `${name.padEnd(13)} train ${split.train.length}  test ${split.test.length}  test emails with a near duplicate in training: ${leaks} (${((100 * leaks) / split.test.length).toFixed(1)}%)  test accuracy ${acc.toFixed(4)}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
}
