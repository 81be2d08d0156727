/**
 * The cost of experiment tracking on the seed CNN: epochs with and without the Tracking callback,
 * alternating, medians of the repeats, and the ratio within each adjacent pair (which cancels the
 * slow drifts of a shared machine). The time spent inside the callback's hooks is the measure the
 * machine's load moves least.
 * `npx tsx bench/tracking-overhead.ts [samples] [repeats] [epochs per fit]`
 *
 * `npx tsx bench/tracking-overhead.ts [samples] [pairs] interleaved` measures per epoch inside ONE
 * fit of one model instead: after an untracked warm-up epoch, epochs alternate between tracked
 * and untracked (ABBA order within pairs) through a gate that forwards the callback's hooks only
 * in tracked epochs, so model building, fit set-up and run creation (one-off costs, reported
 * apart) stay out of the epoch times, and each ratio compares two adjacent epochs of the same
 * model. An epoch's time runs from its onEpochBegin to the next one, its onEpochEnd included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callbacks,
  datasets,
  layers,
  Sequential,
  setSeed,
  Tensor,
  tracking,
} from '../src/index.js';

const samples = Number(process.argv[2] ?? 8004);
const repeats = Number(process.argv[3] ?? 5);
const interleaved = process.argv[4] === 'interleaved';
const epochs = interleaved ? 1 : Number(process.argv[4] ?? 1);
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

/** Tracked epochs of pair p: the first of the pair when p is even, the second when odd (ABBA). */
const trackedEpoch = (e: number) => e > 0 && (e - 1) % 2 === Math.floor((e - 1) / 2) % 2;

/** Forwards the Tracking callback's hooks in tracked epochs only and times every epoch. */
class Gate extends callbacks.Callback {
  readonly times: number[] = [];
  readonly inside: number[] = [];
  creation = 0;
  private mark = 0;
  private spent = 0;
  private current = 0;
  constructor(readonly inner: InstanceType<typeof tracking.Tracking>) {
    super();
  }
  override setModel(m: Parameters<callbacks.Callback['setModel']>[0]): void {
    super.setModel(m);
    this.inner.setModel(m);
  }
  override setParams(p: Parameters<callbacks.Callback['setParams']>[0]): void {
    super.setParams(p);
    this.inner.setParams(p);
  }
  private run(tracked: boolean, f: () => void): void {
    if (!tracked) return;
    const s = performance.now();
    f();
    this.spent += performance.now() - s;
  }
  override onTrainBegin(_logs: callbacks.Logs): void {
    const s = performance.now();
    this.inner.onTrainBegin();
    this.creation = performance.now() - s;
  }
  override onEpochBegin(e: number, _logs: callbacks.Logs): void {
    const now = performance.now();
    if (e > 0) {
      this.times.push((now - this.mark) / 1000);
      this.inside.push(this.spent);
    }
    this.mark = now;
    this.spent = 0;
    this.current = e;
    this.run(trackedEpoch(e), () => this.inner.onEpochBegin(e));
  }
  override onTrainBatchEnd(b: number, logs: callbacks.Logs): void {
    this.run(trackedEpoch(this.current), () => this.inner.onTrainBatchEnd(b, logs));
  }
  override onEpochEnd(e: number, logs: callbacks.Logs): void {
    this.run(trackedEpoch(e), () => this.inner.onEpochEnd(e, logs));
  }
  override onTrainEnd(): void {
    this.times.push((performance.now() - this.mark) / 1000);
    this.inside.push(this.spent);
    this.inner.onTrainEnd();
  }
}

if (interleaved) {
  const m = model();
  const gate = new Gate(new tracking.Tracking({ dir }));
  await m.fit(x, y, { epochs: 1 + 2 * repeats, batchSize: 32, verbose: 0, callbacks: [gate] });
  rmSync(dir, { recursive: true, force: true });
  const on: number[] = [];
  const off: number[] = [];
  const shares: number[] = [];
  for (let e = 1; e < gate.times.length; e++) {
    if (trackedEpoch(e)) {
      on.push(gate.times[e]!);
      shares.push(gate.inside[e]! / 1000 / gate.times[e]!);
    } else off.push(gate.times[e]!);
  }
  const pairs = on.map((s, i) => s / off[i]!);
  const sorted = [...pairs].sort((p, q) => p - q);
  console.log(
    `samples ${samples}, ${repeats} pairs of epochs in one fit, warm-up epoch ${gate.times[0]!.toFixed(3)} s`,
  );
  console.log(
    `untracked epochs: ${off.map((s) => s.toFixed(3)).join(' ')} s, median ${median(off).toFixed(3)}`,
  );
  console.log(
    `tracked epochs:   ${on.map((s) => s.toFixed(3)).join(' ')} s, median ${median(on).toFixed(3)}`,
  );
  console.log(
    `paired ratios (tracked / untracked): ${pairs.map((r) => r.toFixed(3)).join(' ')}; median ${median(pairs).toFixed(4)} (overhead ${(100 * (median(pairs) - 1)).toFixed(2)}%), range ${sorted[0]!.toFixed(3)}..${sorted.at(-1)!.toFixed(3)}`,
  );
  console.log(
    `time inside the Tracking callback per tracked epoch: median ${(100 * median(shares)).toFixed(3)}% of the epoch; run creation (once per run) ${gate.creation.toFixed(1)} ms`,
  );
  process.exit(0);
}

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
