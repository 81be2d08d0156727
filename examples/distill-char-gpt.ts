/**
 * Distils the char-GPT (4 layers, 4 heads, width 128) into a 2-layer, 64-wide GPT on Moby-Dick:
 * the teacher trains first; then the student trains alone and, from the same initial weights on
 * the same batches, distilled (per-token soft targets of the teacher at temperature T). Prints the
 * three validation losses (fixed windows of the last 10%) and, as Test loss / Test accuracy, the
 * distilled student's validation loss and next-character accuracy.
 * The teacher may train longer than the students (`--teacher-iters`, default `--iters`); both
 * students always get the same `--iters`.
 * `npm run example -- distill-char-gpt [--iters 600] [--teacher-iters N] [--seed 1337]`
 */
import {
  compress,
  datasets,
  GPT,
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

const { iters = 600, seed = 1337, batchSize = 12, teacherIters = iters } = exampleArgs();
const context = 64;
const evalBatches = 20;
const temperature = 2;
const alpha = 0.5;

const text = datasets.mobyDick();
const chars = [...new Set(text)].sort();
const index = new Map(chars.map((c, i) => [c, i]));
const ids = Int32Array.from(text, (c) => index.get(c)!);
const split = Math.floor(0.9 * ids.length);
const train = ids.subarray(0, split);
const val = ids.subarray(split);

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

/** char-gpt's optimizer: AdamW, warmup then cosine decay, clipping at 1, no decay of vectors. */
function optimizer(steps: number): optimizers.AdamW {
  const warmup = Math.min(100, Math.floor(steps / 4));
  const opt = new optimizers.AdamW({
    learningRate: new schedules.CosineDecay({
      initialLearningRate: 0,
      warmupTarget: 1e-3,
      warmupSteps: warmup,
      decaySteps: Math.max(1, steps - warmup),
      alpha: 0.1,
    }),
    beta1: 0.9,
    beta2: 0.99,
    weightDecay: 0.1,
    globalClipnorm: 1.0,
  });
  opt.excludeFromWeightDecay({ belowRank: 2, varNames: ['bias'] });
  return opt;
}

const loss = new losses.SparseCategoricalCrossentropy({ fromLogits: true });

/** Mean validation loss and next-character accuracy over fixed windows. */
function estimate(model: GPT): { loss: number; accuracy: number } {
  const rng = new Rng(seed + 2);
  let total = 0;
  let correct = 0;
  noGrad(() => {
    for (let i = 0; i < evalBatches; i++) {
      const [x, y] = batch(val, rng);
      const logits = model.apply(x, { training: false });
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

const gpt = (numLayers: number, hiddenDim: number, name: string) =>
  new GPT({
    vocabularySize: chars.length,
    sequenceLength: context,
    numLayers,
    numHeads: 4,
    hiddenDim,
    dropout: 0,
    name,
  });

/** Trains `model` (a GPT or a Distiller) for `steps` batches drawn from one seeded generator. */
function trainFor(
  model: { trainOnBatch(x: Tensor, y: Tensor): number | number[] },
  label: string,
  steps = iters,
) {
  const rng = new Rng(seed);
  const started = Date.now();
  for (let it = 1; it <= steps; it++) {
    const [x, y] = batch(train, rng);
    const l = model.trainOnBatch(x, y) as number;
    if (it % 200 === 0 || it === steps)
      console.log(
        `${label} iter ${it}: loss ${l.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
}

setSeed(seed);
const teacher = gpt(4, 128, 'teacher');
teacher.compile({ optimizer: optimizer(teacherIters), loss });
trainFor(teacher, 'teacher', teacherIters);
const teacherVal = estimate(teacher);

setSeed(seed + 1);
const alone = gpt(2, 64, 'student');
alone.compile({ optimizer: optimizer(iters), loss });
trainFor(alone, 'student alone');
const aloneVal = estimate(alone);

setSeed(seed + 1);
const student = gpt(2, 64, 'student');
const distiller = new compress.Distiller({ teacher, student });
distiller.compile({ optimizer: optimizer(iters), studentLoss: loss, alpha, temperature });
trainFor(distiller, 'distilled');
const distilledVal = estimate(student);

console.log(
  `Teacher val loss: ${teacherVal.loss.toFixed(4)} (${teacher.countParams()} parameters, ${teacherIters} iterations)`,
);
console.log(
  `Student alone val loss: ${aloneVal.loss.toFixed(4)} (${student.countParams()} parameters)`,
);
console.log(
  `Distilled val loss: ${distilledVal.loss.toFixed(4)} (T = ${temperature}, alpha = ${alpha}, ${iters} iterations each)`,
);
console.log(`Test loss: ${distilledVal.loss}`);
console.log(`Test accuracy: ${distilledVal.accuracy}`);
