/**
 * Acceptance experiment (issue 6): a CSV several times larger than the JavaScript heap streams
 * through Dataset.csv → map → batch → prefetch → fit. Generates the file (default ~300 MB) into
 * a temp dir, then trains one epoch of a small regression model on it, reporting peak RSS.
 * Run with a small heap: `node --max-old-space-size=64 --import tsx examples/data/csv-streaming.ts [--mb 300]`
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Dataset, layers, Sequential, setSeed } from '../../src/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const argv = process.argv.slice(2);
const mbIdx = argv.indexOf('--mb');
const targetMb = mbIdx >= 0 ? Number(argv[mbIdx + 1]) : 300;
const FEATURES = 16;
const dir = mkdtempSync(join(tmpdir(), 'keel-csv-'));
const file = join(dir, 'big.csv');

let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 50);

// Writing respects the stream's backpressure too, so generation stays small in memory.
async function generate(): Promise<number> {
  const out = createWriteStream(file);
  const rng = new Rng(1);
  const header = [...Array.from({ length: FEATURES }, (_, k) => `f${k}`), 'target'].join(',');
  out.write(`${header}\n`);
  let bytes = 0;
  let rows = 0;
  const target = targetMb * 1024 * 1024;
  while (bytes < target) {
    let chunk = '';
    for (let r = 0; r < 1000; r++) {
      const f = Array.from({ length: FEATURES }, () => rng.uniform() * 2 - 1);
      const y = f.reduce((s, v, k) => s + v * ((k % 3) - 1), 0) + 0.01 * rng.normal();
      chunk += `${f.map((v) => v.toFixed(6)).join(',')},${y.toFixed(6)}\n`;
    }
    rows += 1000;
    bytes += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
  return rows;
}

const t0 = Date.now();
const rows = await generate();
const size = statSync(file).size;
console.log(
  `generated ${(size / 2 ** 20).toFixed(0)} MB, ${rows} rows in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);

setSeed(1);
const model = new Sequential([
  new layers.Dense(16, { activation: 'relu', inputShape: [FEATURES] }),
  new layers.Dense(1),
]);
model.compile({ optimizer: 'adam', loss: 'mse' });
const ds = Dataset.csv(file, { labelColumn: 'target' })
  .map((r) => {
    const { x, y } = r as { x: Float32Array; y: number };
    return {
      x: new Tensor(x, [FEATURES], 'float32'),
      y: new Tensor(Float32Array.of(y), [1], 'float32'),
    };
  })
  .batch(512)
  .prefetch(2);
const t1 = Date.now();
let batches = 0;
const history = await model.fit(ds, {
  epochs: 1,
  verbose: 0,
  callbacks: [
    new (class extends (await import('../../src/nn/callbacks/callback.js')).Callback {
      override onTrainBatchEnd(): void {
        batches++;
        if (batches % 500 === 0) sample();
      }
    })(),
  ],
});
clearInterval(timer);
sample();
const heapLimit = getHeapStatistics().heap_size_limit;
const maxRssKb = process.resourceUsage().maxRSS;
console.log(
  `streamed ${batches} batches (${rows} rows) through csv → map → batch(512) → prefetch(2) → fit in ${((Date.now() - t1) / 1000).toFixed(0)} s; loss ${history.history.loss?.[0]?.toFixed(4)}`,
);
console.log(
  `file ${(size / 2 ** 20).toFixed(0)} MB; V8 heap limit ${(heapLimit / 2 ** 20).toFixed(0)} MB; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB (sampled), ${(maxRssKb / 1024).toFixed(0)} MB (getrusage maxRSS)`,
);
rmSync(dir, { recursive: true, force: true });
