/**
 * Keel: seconds for one training epoch of the seed CNN on the MNIST train split (batch 32, Adam),
 * timing `model.fit` on the first --samples samples (default all) and scaling to the whole epoch.
 * `node --import tsx bench/suites/cnn-epoch/keel.ts [--samples 640]`
 */
import { backendInfo, setSeed, tensor } from '../../../src/index.js';
import { buildKeelCnn } from '../common/keel-cnn.js';
import { loadMnistTrain, parseArgs, timeFitEpoch } from '../common/report.mjs';

const args = parseArgs();
const data = loadMnistTrain();
const samples = Math.min(data.n, Number(args['samples'] ?? data.n));
setSeed(1);

const model = buildKeelCnn();
await timeFitEpoch({
  suite: 'cnn-epoch',
  contender: 'keel',
  model,
  batch: (from: number, to: number) => ({
    x: tensor(data.x.subarray(from * 784, to * 784), [to - from, 28, 28, 1]),
    y: tensor(data.oneHot.subarray(from * 10, to * 10), [to - from, 10]),
  }),
  samples,
  epochSamples: data.n,
  extra: () => ({ threads: backendInfo().threads, runtime: backendInfo() }),
});
