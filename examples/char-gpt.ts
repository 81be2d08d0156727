/**
 * A GPT-style character language model on the text of Moby-Dick, with nanoGPT's small CPU
 * character configuration: 4 layers, 4 heads, embedding 128, context 64, batch 12, dropout 0,
 * AdamW (lr 1e-3, betas 0.9/0.99, weight decay 0.1 on matrices only), 100 warmup iterations then
 * cosine decay to 1e-4, global-norm gradient clipping at 1.0, random contiguous windows.
 * The first 90% of the characters train, the last 10% validate.
 * `npm run example -- char-gpt [--iters 2000] [--seed 1337]`; `--checkpoint run.keel` saves the
 * whole training state there every `--checkpoint-every` (50) iterations and, when the file exists,
 * resumes from it: a run killed at any point ends with the same weights as one never stopped
 * (`--save-weights out.safetensors` writes them). `--layers N --hidden N` make a smaller model.
 */
import { existsSync } from 'node:fs';
import {
  backendInfo,
  datasets,
  GPT,
  generate,
  loadModel,
  losses,
  noGrad,
  optimizers,
  Rng,
  schedules,
  setSeed,
  type Tensor,
  tensor,
} from '../src/index.js';
import { exampleArgs } from './args.js';

const {
  iters = 2000,
  seed = 1337,
  batchSize = 12,
  layers = 4,
  hidden = 128,
  checkpoint,
  checkpointEvery = 50,
  saveWeights,
} = exampleArgs();
const context = 64;
const evalInterval = 250;
const evalBatches = 20;
setSeed(seed);

const text = datasets.mobyDick();
const chars = [...new Set(text)].sort();
const index = new Map(chars.map((c, i) => [c, i]));
const ids = Int32Array.from(text, (c) => index.get(c)!);
const split = Math.floor(0.9 * ids.length);
const train = ids.subarray(0, split);
const val = ids.subarray(split);
console.log(
  `Moby-Dick: ${ids.length.toLocaleString()} characters, vocabulary ${chars.length}; ` +
    `train ${train.length.toLocaleString()}, val ${val.length.toLocaleString()}`,
);

/** `batchSize` random windows: inputs [B, T] and the next characters [B, T]. */
function batch(data: Int32Array, rng: Rng): [Tensor, Tensor] {
  const x = new Int32Array(batchSize * context);
  const y = new Int32Array(batchSize * context);
  for (let b = 0; b < batchSize; b++) {
    const start = rng.int(data.length - context - 1);
    x.set(data.subarray(start, start + context), b * context);
    y.set(data.subarray(start + 1, start + context + 1), b * context);
  }
  return [tensor(x, [batchSize, context], 'int32'), tensor(y, [batchSize, context], 'int32')];
}

let gpt = new GPT({
  vocabularySize: chars.length,
  sequenceLength: context,
  numLayers: layers,
  numHeads: 4,
  hiddenDim: hidden,
  dropout: 0,
});
// nanoGPT: 100 warmup iterations whatever --iters is (a shorter warmup makes early Adam steps spike).
const warmup = 100;
let optimizer = new optimizers.AdamW({
  learningRate: new schedules.CosineDecay({
    initialLearningRate: 0,
    warmupTarget: 1e-3,
    warmupSteps: warmup,
    decaySteps: Math.max(1, iters - warmup),
    alpha: 0.1,
  }),
  beta1: 0.9,
  beta2: 0.99,
  epsilon: 1e-8,
  weightDecay: 0.1,
  globalClipnorm: 1.0,
});
// Decay matrices only: not the norms' scales/offsets, nor any bias (attention biases are [heads, dim]).
optimizer.excludeFromWeightDecay({ belowRank: 2, varNames: ['bias'] });
const loss = new losses.SparseCategoricalCrossentropy({ fromLogits: true });
gpt.compile({ optimizer, loss });
console.log(
  `${gpt.countParams().toLocaleString()} parameters; backend ${JSON.stringify(backendInfo())}`,
);

/** Mean loss and next-character accuracy over fixed batches (the same windows every time). */
function estimate(data: Int32Array, salt: number): { loss: number; accuracy: number } {
  const rng = new Rng(seed + salt);
  let total = 0;
  let correct = 0;
  noGrad(() => {
    for (let i = 0; i < evalBatches; i++) {
      const [x, y] = batch(data, rng);
      const logits = gpt.apply(x, { training: false });
      total += loss.compute(y, logits).item();
      const V = chars.length;
      const l = logits.data;
      for (let r = 0; r < y.size; r++) {
        let best = 0;
        for (let v = 1; v < V; v++) if (l[r * V + v]! > l[r * V + best]!) best = v;
        if (best === y.data[r]) correct++;
      }
    }
  });
  return { loss: total / evalBatches, accuracy: correct / (evalBatches * batchSize * context) };
}

const rng = new Rng(seed);
let first = 1;
if (checkpoint && existsSync(checkpoint)) {
  // The file holds the weights, AdamW's moments, its schedule and step count, its weight-decay
  // exclusions and the random state; the windows drawn so far are replayed from the seed.
  gpt = loadModel(checkpoint) as GPT;
  optimizer = gpt.optimizer as optimizers.AdamW;
  first = optimizer.iterations + 1;
  for (let i = 0; i < optimizer.iterations * batchSize; i++) rng.int(train.length - context - 1);
  console.log(`resuming from ${checkpoint} at iteration ${first}`);
}
const started = Date.now();
let last = started;
for (let it = first; it <= iters; it++) {
  const [x, y] = batch(train, rng);
  const trainLoss = gpt.trainOnBatch(x, y) as number;
  if (it % 50 === 0 || it === 1 || it === 10) {
    const now = Date.now();
    const per = (now - last) / (it === 1 ? 1 : it === 10 ? 9 : it === 50 ? 40 : 50);
    last = now;
    console.log(
      `iter ${it}: loss ${trainLoss.toFixed(4)}, lr ${optimizer.learningRate.toExponential(2)}, ${per.toFixed(0)} ms/iter`,
    );
  }
  if (it % evalInterval === 0 || it === iters) {
    const tr = estimate(train, 1);
    const va = estimate(val, 2);
    console.log(
      `step ${it}: train loss ${tr.loss.toFixed(4)}, val loss ${va.loss.toFixed(4)} ` +
        `(${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  if (checkpoint && it % checkpointEvery === 0 && it < iters) {
    gpt.save(checkpoint, { includeOptimizer: true, inputShapes: [[null, context]] });
    console.log(`checkpoint at iteration ${it}`);
  }
}
if (saveWeights) gpt.saveWeights(saveWeights);

const prompt = [index.get('\n')!];
const sample = generate(gpt, [prompt], { maxNewTokens: 300, temperature: 0.8, topK: 20, seed });
console.log(
  `--- sample ---\n${sample[0]!
    .slice(1)
    .map((i) => chars[i])
    .join('')}\n---`,
);
const final = estimate(val, 2);
console.log(`Wall time: ${((Date.now() - started) / 1000).toFixed(1)} s for ${iters} iterations`);
console.log(`Test loss: ${final.loss}`);
console.log(`Test accuracy: ${final.accuracy}`);
