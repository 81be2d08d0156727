/**
 * The cost of distillation against training the student alone (issue 13's acceptance), on the
 * distill-mnist models (teacher 784-1200-1200-10 with dropout, student 784-800-800-10) and the
 * first `--samples` training digits: per repeat, in alternation, (a) the student alone, (b) a
 * Distiller with cached teacher outputs (its one teacher pass included), (c) a Distiller running
 * the teacher on the fly, each `--epochs` epochs of fit, and (d) the teacher's forward passes that
 * (c) adds (one per training batch, inference mode). Prints the medians and the two ratios.
 * `flock /tmp/keel-bench.lock npx tsx scripts/distill-overhead.ts [--repeats 3] [--epochs 5] [--samples 1024]`
 */
import { noGrad } from '../src/autograd/tape.js';
import { Distiller } from '../src/compress/distill/index.js';
import { mnist } from '../src/data/datasets/mnist.js';
import { identityOrder, takeRows } from '../src/models/data-adapter.js';
import { Sequential } from '../src/models/sequential.js';
import { Dense } from '../src/nn/layers/dense.js';
import { Dropout } from '../src/nn/layers/dropout.js';
import { Flatten } from '../src/nn/layers/flatten.js';
import { setSeed } from '../src/random/rng.js';
import '../src/backends/index.js';

const flags = new Map<string, number>();
for (let i = 2; i < process.argv.length; i += 2)
  flags.set(process.argv[i]!.replace(/^--/, ''), Number(process.argv[i + 1]));
const repeats = flags.get('repeats') ?? 3;
const epochs = flags.get('epochs') ?? 5;
const samples = flags.get('samples') ?? 1024;
const batchSize = 32;

const data = mnist();
const all = identityOrder(data.xTrain.shape[0]!);
const x = takeRows(data.xTrain, all, 0, samples);
const y = takeRows(data.yTrain, all, 0, samples);

function mlp(units: number, dropout: number): Sequential {
  const drop = (rate: number) => (dropout > 0 ? [new Dropout(rate)] : []);
  return new Sequential([
    new Flatten({ inputShape: [28, 28, 1] }),
    ...drop(0.2),
    new Dense(units, { activation: 'relu' }),
    ...drop(dropout),
    new Dense(units, { activation: 'relu' }),
    ...drop(dropout),
    new Dense(10, { activation: 'softmax' }),
  ]);
}

setSeed(1);
const teacher = mlp(1200, 0.5);
const fitArgs = { epochs, batchSize, verbose: 0 } as const;

async function alone(): Promise<void> {
  setSeed(2);
  const s = mlp(800, 0);
  s.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  await s.fit(x, y, fitArgs);
}

async function distilled(teacherOutputs: 'cached' | 'onTheFly'): Promise<void> {
  setSeed(2);
  const d = new Distiller({ teacher, student: mlp(800, 0) });
  d.compile({ optimizer: 'adam', studentLoss: 'sparse_categorical_crossentropy', teacherOutputs });
  await d.fit(x, y, fitArgs);
}

/** The teacher work on-the-fly distillation adds: one inference forward per training batch. */
function teacherForward(): void {
  noGrad(() => {
    for (let e = 0; e < epochs; e++)
      for (let start = 0; start < samples; start += batchSize)
        teacher.apply(takeRows(x, all, start, Math.min(samples, start + batchSize)), {
          training: false,
        });
  });
}

const contenders: [string, () => Promise<void> | void][] = [
  ['student alone', alone],
  ['distilled, cached', () => distilled('cached')],
  ['distilled, on the fly', () => distilled('onTheFly')],
  ['teacher forward', teacherForward],
];
const times = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
await alone(); // warm-up: kernels, allocator, JIT
for (let r = 0; r < repeats; r++) {
  for (const [name, run] of r % 2 === 0 ? contenders : [...contenders].reverse()) {
    const start = performance.now();
    await run();
    times.get(name)!.push((performance.now() - start) / 1000);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const m = new Map([...times].map(([k, v]) => [k, median(v)]));
for (const [name, v] of times)
  console.log(
    `${name}: median ${m.get(name)!.toFixed(2)} s (${v.map((t) => t.toFixed(2)).join(', ')})`,
  );
const aloneS = m.get('student alone')!;
console.log(`Cached / alone: ${(m.get('distilled, cached')! / aloneS).toFixed(3)}x`);
console.log(
  `On the fly − alone: ${(m.get('distilled, on the fly')! - aloneS).toFixed(2)} s vs teacher forward ${m.get('teacher forward')!.toFixed(2)} s ` +
    `(ratio ${((m.get('distilled, on the fly')! - aloneS) / m.get('teacher forward')!).toFixed(3)})`,
);
