// TensorFlow.js (@tensorflow/tfjs, pure JS; --backend cpu or wasm): seconds for one training epoch of
// the seed LSTM program on the SpamAssassin train split (Embedding(10000, 64) → LSTM(128, dropout 0.2,
// recurrentDropout 0.2) → Dense(1, sigmoid), Adam lr 1e-3 eps 1e-7, batch 32, binary cross-entropy),
// timing model.fit on the first --samples samples and scaling to the epoch (the cpu backend needs
// hours per epoch). The wasm backend lacks UnsortedSegmentSum (the Embedding's gradient); see
// tfjs-wasm-gaps.mjs. --warm-samples (default 64: two batches) are trained untimed first.
// `node bench/suites/lstm-epoch/tfjs.mjs --backend cpu --samples 64`
import { loadSpamTrain, parseArgs, report, threadCount, timeOnce } from '../common/report.mjs';
import { fillWasmUnsortedSegmentSum } from './tfjs-wasm-gaps.mjs';

const args = parseArgs();
const backend = args.backend ?? 'cpu';
const tf = await import('@tensorflow/tfjs');
const wasm = backend === 'wasm' ? await import('@tensorflow/tfjs-backend-wasm') : null;
wasm?.setThreadsCount(threadCount());
if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' did not start`);
await tf.ready();
// --no-fill shows the wasm backend as shipped (it fails: no UnsortedSegmentSum kernel).
const filledKernel = wasm && args['no-fill'] === undefined ? fillWasmUnsortedSegmentSum(tf) : '';

const data = loadSpamTrain();
const T = data.maxlen;
const samples = Math.min(data.n, Number(args.samples ?? data.n));
const warmSamples = Number(args['warm-samples'] ?? 64);

const model = tf.sequential();
model.add(tf.layers.embedding({ inputDim: 10000, outputDim: 64, inputLength: T }));
model.add(tf.layers.lstm({ units: 128, dropout: 0.2, recurrentDropout: 0.2 }));
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({
  optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-7),
  loss: 'binaryCrossentropy',
  metrics: ['accuracy'],
});

const batch = (from, to) => ({
  x: tf.tensor2d(data.ids.subarray(from * T, to * T), [to - from, T], 'int32'),
  y: tf.tensor2d(data.y.subarray(from, to), [to - from, 1]),
});
if (warmSamples > 0) {
  const warm = batch(0, warmSamples);
  await model.fit(warm.x, warm.y, { epochs: 1, batchSize: 32, verbose: 0 });
}

const timed = batch(0, samples);
let logs = {};
const seconds = await timeOnce(async () => {
  logs = (await model.fit(timed.x, timed.y, { epochs: 1, batchSize: 32, verbose: 0 })).history;
});
report({
  suite: 'lstm-epoch',
  contender: `tfjs-${backend}`,
  epochSeconds: (seconds * data.n) / samples,
  timedSeconds: seconds,
  timedSamples: samples,
  epochSamples: data.n,
  extrapolated: samples < data.n,
  loss: logs.loss?.[0],
  accuracy: (logs.acc ?? logs.accuracy)?.[0],
  threads: wasm ? wasm.getThreadsCount() : 1,
  runtime: {
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    ...(wasm
      ? { filledKernel, multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') }
      : {}),
  },
});
