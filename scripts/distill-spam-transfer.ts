/**
 * The spam distillation experiments behind PERFORMANCE-LOG (issue 13): the distill-spam teacher
 * (seed LSTM, saved to /tmp/distill/spam-teacher-<seed>.keel and reused), a bag-of-embeddings
 * student (`--dim`, `--hidden`) alone, optionally alone on the augmented emails (`--control 1`),
 * and distilled at each `--grid T:alpha,...` on a transfer set of the training emails plus
 * `--copies` word-dropout copies (`--drop` of the tokens set to padding), labelled by the teacher,
 * for the same number of steps as the student alone.
 * `npx tsx scripts/distill-spam-transfer.ts --seed 1 --grid 2:0.5,4:0.5,2:0.8 --copies 2 --drop 0.3 --control 1`
 */
import { existsSync, mkdirSync } from 'node:fs';
import {
  compress,
  datasets,
  layers,
  loadModel,
  type Model,
  ops,
  Rng,
  Sequential,
  setSeed,
  type Tensor,
  tensor,
} from '../src/index.js';

const { Embedding, LSTM, Dense, GlobalAveragePooling1D } = layers;
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const num = (k: string, d: number) => (args.has(k) ? Number(args.get(k)) : d);
const seed = num('seed', 1);
const epochs = 10,
  batchSize = 32,
  vocabSize = 10000,
  maxlen = 200;
const dim = num('dim', 6),
  hidden = num('hidden', 16);
const copies = num('copies', 0),
  drop = num('drop', 0.3);
const configs = (args.get('grid') ?? '2:0.5')
  .split(',')
  .map((s) => s.split(':').map(Number) as [number, number]);
const control = num('control', 0);
const { xTrain, yTrain, xTest, yTest } = datasets.spamAssassinEncoded({ vocabSize, maxlen });
const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;
mkdirSync('/tmp/distill', { recursive: true });
const path = `/tmp/distill/spam-teacher-${seed}.keel`;
let teacher: Model;
if (existsSync(path)) teacher = loadModel(path);
else {
  setSeed(seed);
  const t = new Sequential();
  t.add(new Embedding(vocabSize, 64, { inputLength: maxlen }));
  t.add(new LSTM(128, { dropout: 0.2, recurrentDropout: 0.2 }));
  t.add(new Dense(1, { activation: 'sigmoid' }));
  t.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  await t.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
  t.save(path);
  teacher = t;
}
async function accuracy(model: Model): Promise<number> {
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  return ((await model.evaluate(xTest, yTest, { verbose: 0 })) as number[])[1]!;
}
console.log(`seed ${seed} teacher ${(100 * (await accuracy(teacher))).toFixed(2)} ${clock()}`);
const student = () =>
  new Sequential([
    new Embedding(vocabSize, dim, { inputLength: maxlen }),
    new GlobalAveragePooling1D(),
    new Dense(hidden, { activation: 'relu' }),
    new Dense(1, { activation: 'sigmoid' }),
  ]);
// transfer set: originals + copies with word dropout (tokens -> 0)
const rng = new Rng(seed + 3000);
const parts: Tensor[] = [xTrain];
for (let c = 0; c < copies; c++) {
  const d = Int32Array.from(xTrain.data as Int32Array);
  for (let i = 0; i < d.length; i++) if (d[i] !== 0 && rng.uniform() < drop) d[i] = 0;
  parts.push(tensor(d, xTrain.shape, xTrain.dtype));
}
const xT = copies ? ops.concat(parts) : xTrain;
const yT = copies ? ops.concat(parts.map(() => yTrain)) : yTrain;
const tEpochs = Math.max(1, Math.round(epochs / (copies + 1)));
setSeed(seed + 1000);
const alone = student();
alone.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
await alone.fit(xTrain, yTrain, { epochs, batchSize, verbose: 0 });
console.log(
  `alone ${(100 * (await accuracy(alone))).toFixed(2)} params ${alone.countParams()} ${clock()}`,
);
if (control) {
  setSeed(seed + 1000);
  const c = student();
  c.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  await c.fit(xT, yT, { epochs: tEpochs, batchSize, verbose: 0 });
  console.log(`alone-on-augmented ${(100 * (await accuracy(c))).toFixed(2)} ${clock()}`);
}
for (const [T, a] of configs) {
  setSeed(seed + 1000);
  const s = student();
  const dd = new compress.Distiller({ teacher, student: s });
  dd.compile({
    optimizer: 'adam',
    studentLoss: 'binary_crossentropy',
    metrics: ['accuracy'],
    alpha: a,
    temperature: T,
    teacherOutputs: 'cached',
  });
  await dd.fit(xT, yT, { epochs: tEpochs, batchSize, verbose: 0 });
  console.log(
    `distilled T=${T} a=${a} copies=${copies} ${(100 * (await accuracy(s))).toFixed(2)} ${clock()}`,
  );
}
