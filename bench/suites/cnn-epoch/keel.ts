/**
 * Keel: seconds for one training epoch of the seed CNN on the MNIST train split (batch 32, Adam),
 * timing `model.fit` on the first --samples samples (default all) and scaling to the whole epoch.
 * `node --import tsx bench/suites/cnn-epoch/keel.ts [--samples 640]`
 */
import { backendInfo, setSeed, tensor } from '../../../src/index.js';
import { buildKeelCnn } from '../common/keel-cnn.js';
import { loadMnistTrain, parseArgs, report, timeOnce } from '../common/report.mjs';

const args = parseArgs();
const data = loadMnistTrain();
const samples = Math.min(data.n, Number(args['samples'] ?? data.n));
setSeed(1);

const model = buildKeelCnn();
const batch = (from: number, to: number) => ({
  x: tensor(data.x.subarray(from * 784, to * 784), [to - from, 28, 28, 1]),
  y: tensor(data.oneHot.subarray(from * 10, to * 10), [to - from, 10]),
});
// Two untimed batches, as for every contender, so one-off set-up costs stay out of the epoch.
const warm = batch(0, 64);
await model.fit(warm.x, warm.y, { epochs: 1, batchSize: 32, verbose: 0 });

const timed = batch(0, samples);
let logs: Record<string, number[]> = {};
const seconds = await timeOnce(async () => {
  const history = await model.fit(timed.x, timed.y, { epochs: 1, batchSize: 32, verbose: 0 });
  logs = history.history;
});
report({
  suite: 'cnn-epoch',
  contender: 'keel',
  epochSeconds: (seconds * data.n) / samples,
  timedSeconds: seconds,
  timedSamples: samples,
  epochSamples: data.n,
  extrapolated: samples < data.n,
  loss: logs['loss']?.[0],
  accuracy: logs['accuracy']?.[0],
  threads: backendInfo().threads,
  runtime: backendInfo(),
});
