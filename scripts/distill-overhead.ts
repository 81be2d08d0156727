/**
 * The cost of distillation against training the student alone (issue 13's acceptance), on the
 * distill-mnist models (teacher 784-1200-1200-10 with dropout, student 784-800-800-10) and the
 * first `--samples` training digits: per repeat, in alternation, (a) the student alone, (b) a
 * Distiller with cached teacher outputs (its one teacher pass included), (c) a Distiller running
 * the teacher on the fly, each `--epochs` epochs of fit, and (d) the teacher's forward passes that
 * (c) adds (one per training batch, inference mode). Prints the medians and the two ratios, in
 * wall time and in this process's CPU time (user + system: less disturbed by other processes on a
 * shared machine), and the median of the per-round paired ratios (the two contenders of a ratio
 * ran next to each other, under the same load).
 * `flock /tmp/keel-bench.lock npx tsx scripts/distill-overhead.ts [--repeats 5] [--epochs 5] [--samples 1024]`
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
const repeats = flags.get('repeats') ?? 5;
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
const clocks = {
  wall: () => performance.now() / 1000,
  cpu: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  },
};
type Clock = keyof typeof clocks;
const times = new Map<string, Record<Clock, number[]>>(
  contenders.map(([name]) => [name, { wall: [], cpu: [] }]),
);
await alone(); // warm-up: kernels, allocator, JIT
for (let r = 0; r < repeats; r++) {
  for (const [name, run] of r % 2 === 0 ? contenders : [...contenders].reverse()) {
    const wall = clocks.wall();
    const cpu = clocks.cpu();
    await run();
    times.get(name)!.wall.push(clocks.wall() - wall);
    times.get(name)!.cpu.push(clocks.cpu() - cpu);
  }
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};
const get = (name: string, clock: Clock) => times.get(name)![clock];
for (const clock of ['wall', 'cpu'] as const) {
  console.log(`${clock} time:`);
  for (const [name] of contenders) {
    const v = get(name, clock);
    console.log(
      `  ${name}: median ${median(v).toFixed(2)} s (${v.map((t) => t.toFixed(2)).join(', ')})`,
    );
  }
  const alone = get('student alone', clock);
  const cached = get('distilled, cached', clock);
  const onTheFly = get('distilled, on the fly', clock);
  const forward = get('teacher forward', clock);
  const paired = cached.map((t, r) => t / alone[r]!);
  const extra = onTheFly.map((t, r) => (t - alone[r]!) / forward[r]!);
  console.log(
    `  Cached / alone: ${(median(cached) / median(alone)).toFixed(3)}x of the medians, ` +
      `${median(paired).toFixed(3)}x median paired ratio (${paired.map((t) => t.toFixed(2)).join(', ')})`,
  );
  console.log(
    `  On the fly − alone: ${(median(onTheFly) - median(alone)).toFixed(2)} s vs teacher forward ${median(forward).toFixed(2)} s ` +
      `(ratio ${((median(onTheFly) - median(alone)) / median(forward)).toFixed(3)} of the medians, ` +
      `${median(extra).toFixed(3)} median paired)`,
  );
}
