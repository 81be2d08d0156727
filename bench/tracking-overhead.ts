/**
 * The cost of experiment tracking on the seed CNN: epochs with and without the Tracking callback,
 * alternating, medians of the repeats, and the ratio within each adjacent pair (which cancels the
 * slow drifts of a shared machine). The time spent inside the callback's hooks is the measure the
 * machine's load moves least.
 * `npx tsx bench/tracking-overhead.ts [samples] [repeats] [epochs per fit]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasets, layers, Sequential, setSeed, Tensor, tracking } from '../src/index.js';

const samples = Number(process.argv[2] ?? 8004);
const repeats = Number(process.argv[3] ?? 5);
const epochs = Number(process.argv[4] ?? 1);
const { xTrain, yTrainOneHot } = datasets.mnist();
const head = (t: Tensor) =>
  new Tensor(
    t.data.slice(0, (samples * t.size) / t.shape[0]!),
    [samples, ...t.shape.slice(1)],
    t.dtype,
  );
const x = head(xTrain);
const y = head(yTrainOneHot);
const dir = mkdtempSync(join(tmpdir(), 'keel-track-bench-'));

function model() {
  setSeed(1);
  const m = new Sequential([
    new layers.Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }),
    new layers.MaxPooling2D([2, 2]),
    new layers.Flatten(),
    new layers.Dense(10, { activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

/** Milliseconds spent inside the Tracking callback's hooks (a measure the machine's load hardly moves). */
const inside: number[] = [];
function timed(t: InstanceType<typeof tracking.Tracking>): InstanceType<typeof tracking.Tracking> {
  let spent = 0;
  for (const hook of [
    'onTrainBegin',
    'onEpochBegin',
    'onTrainBatchEnd',
    'onEpochEnd',
    'onTrainEnd',
  ] as const) {
    const original = t[hook].bind(t) as (...a: unknown[]) => void;
    (t as unknown as Record<string, unknown>)[hook] = (...a: unknown[]) => {
      const s = performance.now();
      original(...a);
      spent += performance.now() - s;
      if (hook === 'onTrainEnd') inside.push(spent);
    };
  }
  return t;
}

async function epoch(track: boolean): Promise<number> {
  const m = model();
  const callbacks = track ? [timed(new tracking.Tracking({ dir }))] : [];
  const t = performance.now();
  await m.fit(x, y, { epochs, batchSize: 32, verbose: 0, callbacks });
  return (performance.now() - t) / 1000;
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
await epoch(false); // warm-up
const off: number[] = [];
const on: number[] = [];
for (let i = 0; i < repeats; i++) {
  if (i % 2 === 0) {
    off.push(await epoch(false));
    on.push(await epoch(true));
  } else {
    on.push(await epoch(true));
    off.push(await epoch(false));
  }
}
rmSync(dir, { recursive: true, force: true });
const shares = inside.map((ms, i) => ms / 1000 / on[i]!);
console.log(`samples ${samples}, repeats ${repeats}, epochs per fit ${epochs}`);
console.log(
  `without tracking: ${off.map((s) => s.toFixed(3)).join(' ')} s, median ${median(off).toFixed(3)}`,
);
console.log(
  `with tracking:    ${on.map((s) => s.toFixed(3)).join(' ')} s, median ${median(on).toFixed(3)}`,
);
console.log(
  `overhead: ${((100 * (median(on) - median(off))) / median(off)).toFixed(2)}% (median ratio ${(median(on) / median(off)).toFixed(4)})`,
);
const pairs = on.map((s, i) => s / off[i]!);
const sorted = [...pairs].sort((p, q) => p - q);
console.log(
  `paired ratios (with / without): ${pairs.map((r) => r.toFixed(3)).join(' ')}; median ${median(pairs).toFixed(4)}, range ${sorted[0]!.toFixed(3)}..${sorted.at(-1)!.toFixed(3)}`,
);
console.log(
  `time inside the Tracking callback: ${inside.map((ms) => ms.toFixed(1)).join(' ')} ms, median ${(100 * median(shares)).toFixed(3)}% of its epoch`,
);
