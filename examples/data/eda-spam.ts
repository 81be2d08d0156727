/**
 * Acceptance experiment (issue 6): the seed spam LSTM trained on 10% of the SpamAssassin training
 * emails (every 10th, seeded model init), with and without EDA text augmentation (numAug variants
 * per email: synonym replacement from WordNet, random insertion, swap, deletion), scored on the
 * full canonical test set (1,209 emails). Only the last `window` tokens of an email are augmented,
 * since the model reads the last 200 (Keras's 'pre' truncation). The vocabulary is the canonical
 * one (from the whole training set), the same for both runs.
 * `npx tsx examples/data/eda-spam.ts [--epochs 5] [--num-aug 4] [--seeds 1]`
 */
import { augmentation, datasets, layers, Sequential, setSeed } from '../../src/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { padSequences } from '../../src/text/pad-sequences.js';

const { Embedding, LSTM, Dense } = layers;
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const epochs = Number(arg('epochs', '5'));
const numAug = Number(arg('num-aug', '4'));
const seeds = arg('seeds', '1').split(',').map(Number);
const fraction = Number(arg('fraction', '0.1'));
const vocabSize = 10000;
const maxlen = 200;
const window = 220;

const raw = datasets.spamAssassin();
const { xTest, yTest, vocabulary } = datasets.spamAssassinEncoded({ vocabSize, maxlen });
const ids = new Map(vocabulary.map((t, i) => [t, i]));
const encode = (texts: string[]) =>
  padSequences(
    texts.map((t) => datasets.spamTokens(t).map((w) => ids.get(w) ?? 1)),
    { maxlen },
  );
const step = Math.round(1 / fraction);
const subset = raw.xTrain.map((_, i) => i).filter((i) => i % step === 0);
const texts = subset.map((i) => datasets.spamTokens(raw.xTrain[i]!).slice(-window).join(' '));
const labels = subset.map((i) => raw.yTrain.data[i]!);

const t0 = Date.now();
const rng = new Rng(123);
const augTexts: string[] = [...texts];
const augLabels: number[] = [...labels];
texts.forEach((t, k) => {
  for (const v of augmentation.eda(t, { numAug, rng })) {
    augTexts.push(v);
    augLabels.push(labels[k]!);
  }
});
console.log(
  `${texts.length} training emails (${labels.filter((l) => l === 1).length} spam); EDA x${numAug} -> ${augTexts.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

function build(): Sequential {
  const model = new Sequential();
  model.add(new Embedding(vocabSize, 64, { inputLength: maxlen }));
  model.add(new LSTM(128, { dropout: 0.2, recurrentDropout: 0.2 }));
  model.add(new Dense(1, { activation: 'sigmoid' }));
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  return model;
}

// --only plain|eda runs one arm (to run the two side by side in separate processes).
const only = arg('only', '');
for (const seed of seeds) {
  for (const [name, xs, ys] of [
    ['plain', texts, labels],
    ['eda', augTexts, augLabels],
  ] as const) {
    if (only && only !== name) continue;
    setSeed(seed);
    const model = build();
    const t1 = Date.now();
    // EDA multiplies the data; the plain run gets as many epochs × (1 + numAug) so both see the same number of steps.
    const ep = name === 'plain' ? epochs * (1 + numAug) : epochs;
    await model.fit(encode([...xs]), new Tensor(Float32Array.from(ys), [ys.length], 'float32'), {
      epochs: ep,
      batchSize: 32,
      verbose: 0,
    });
    const [, acc] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
    console.log(
      `seed ${seed} ${name.padEnd(5)} ${String(xs.length).padStart(5)} emails x ${ep} epochs: test accuracy ${acc!.toFixed(4)} (${((Date.now() - t1) / 1000).toFixed(0)} s)`,
    );
  }
}
