/**
 * Keel predict throughput of the seed LSTM (Embedding(10000, 64) → LSTM(128) → Dense(1,
 * sigmoid), weights from setSeed(1)) at batch 32 on the first 256 SpamAssassin train emails:
 * float32 (--model float) or dynamic int8 (--model int8, `compress.quantize`: QuantizedLSTM and
 * QuantizedDense). Samples/s from the median call of predict over the 256 emails.
 * `node --import tsx bench/suites/compress/keel-lstm.ts --model int8`
 */
import {
  backendInfo,
  compress,
  layers,
  type Model,
  Sequential,
  setSeed,
  type Tensor,
  tensor,
} from '../../../src/index.js';
import { loadSpamTrain, median, parseArgs, report, timeCalls } from '../common/report.mjs';

const args = parseArgs();
const kind = args['model'] ?? 'int8';
if (kind !== 'int8' && kind !== 'float') throw new Error(`bench: --model int8|float, got ${kind}`);
const minSeconds = Number(args['min-seconds'] ?? 2);
const data = loadSpamTrain();
const T = data.maxlen;
setSeed(1);
const float = new Sequential();
float.add(new layers.Embedding(10000, 64, { inputLength: T }));
float.add(new layers.LSTM(128));
float.add(new layers.Dense(1, { activation: 'sigmoid' }));
float.build([null, T]);
const model: Model = kind === 'int8' ? compress.quantize(float, { mode: 'dynamic' }) : float;
const x = tensor(data.ids.slice(0, 256 * T), [256, T], 'int32');
const predict = () => model.predict(x, { batchSize: 32 });
const times = await timeCalls(predict, { warmup: 1, minReps: 5, minSeconds });
const probe = Array.from(
  (model.predict(tensor(data.ids.slice(0, 4 * T), [4, T], 'int32')) as Tensor).data,
);
report({
  suite: 'compress-lstm',
  contender: kind === 'int8' ? 'keel' : 'keel-float',
  throughput: 256 / median(times),
  throughputCalls: times.length,
  probe,
  threads: backendInfo().threads,
  runtime: { ...backendInfo(), model: kind },
});
