/**
 * Keel: seconds for one training epoch of the seed LSTM program (examples/spam-lstm.ts) on the
 * canonical SpamAssassin train split (4,837 emails of 200 token ids): Embedding(10000, 64) →
 * LSTM(128, dropout 0.2, recurrentDropout 0.2) → Dense(1, sigmoid), Adam 1e-3, batch 32, binary
 * cross-entropy. Times `model.fit` on the first --samples samples (default all), scaled to the epoch.
 * `node --import tsx bench/suites/lstm-epoch/keel.ts [--samples 320]`
 */
import { backendInfo, layers, Sequential, setSeed, tensor } from '../../../src/index.js';
import { loadSpamTrain, parseArgs, timeFitEpoch } from '../common/report.mjs';

const args = parseArgs();
const data = loadSpamTrain();
const samples = Math.min(data.n, Number(args['samples'] ?? data.n));
const T = data.maxlen;
setSeed(1);

const model = new Sequential();
model.add(new layers.Embedding(10000, 64, { inputLength: T }));
model.add(new layers.LSTM(128, { dropout: 0.2, recurrentDropout: 0.2 }));
model.add(new layers.Dense(1, { activation: 'sigmoid' }));
model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });

await timeFitEpoch({
  suite: 'lstm-epoch',
  contender: 'keel',
  model,
  batch: (from: number, to: number) => ({
    x: tensor(data.ids.subarray(from * T, to * T), [to - from, T], 'int32'),
    y: tensor(data.y.subarray(from, to), [to - from, 1]),
  }),
  samples,
  epochSamples: data.n,
  extra: () => ({ threads: backendInfo().threads, runtime: backendInfo() }),
});
