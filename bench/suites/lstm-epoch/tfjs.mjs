// TensorFlow.js (@tensorflow/tfjs, pure JS; --backend cpu or wasm): seconds for one training epoch of
// the seed LSTM program on the SpamAssassin train split (Embedding(10000, 64) → LSTM(128, dropout 0.2,
// recurrentDropout 0.2) → Dense(1, sigmoid), Adam lr 1e-3 eps 1e-7, batch 32, binary cross-entropy),
// timing model.fit on the first --samples samples and scaling to the epoch (the cpu backend needs
// hours per epoch: its cost is per batch and per step more than per sample, so --samples should be
// a multiple of 32). The wasm backend lacks UnsortedSegmentSum (the Embedding's gradient); see
// tfjs-wasm-gaps.mjs. --warm-samples (default 64: two batches) are trained untimed first.
// `node bench/suites/lstm-epoch/tfjs.mjs --backend cpu --samples 64`
import { loadSpamTrain, parseArgs, threadCount, timeFitEpoch } from '../common/report.mjs';
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
// tfjs's orthogonal initializer (the LSTM's recurrent kernel, as in Keras) takes minutes for a
// 128×512 matrix, so the layer starts from a cheap initializer and gets an orthogonal matrix made
// here (Gram-Schmidt): the same kind of start, minutes sooner (construction is not timed anyway).
const lstm = tf.layers.lstm({
  units: 128,
  dropout: 0.2,
  recurrentDropout: 0.2,
  recurrentInitializer: 'glorotUniform',
});
model.add(lstm);
const [kernel, recurrent, bias] = lstm.getWeights();
lstm.setWeights([kernel, tf.tensor2d(orthogonalRows(128, 512, 1), recurrent.shape), bias]);
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({
  optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-7),
  loss: 'binaryCrossentropy',
  metrics: ['accuracy'],
});

await timeFitEpoch({
  suite: 'lstm-epoch',
  contender: `tfjs-${backend}`,
  model,
  batch: (from, to) => ({
    x: tf.tensor2d(data.ids.subarray(from * T, to * T), [to - from, T], 'int32'),
    y: tf.tensor2d(data.y.subarray(from, to), [to - from, 1]),
  }),
  samples,
  epochSamples: data.n,
  warmSamples,
  extra: async () => ({
    threads: wasm ? wasm.getThreadsCount() : 1,
    runtime: {
      tfjs: tf.version.tfjs,
      backend: tf.getBackend(),
      ...(wasm
        ? { filledKernel, multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') }
        : {}),
    },
  }),
});

/** A rows×cols matrix (rows <= cols) with orthonormal rows: Gram-Schmidt on seeded normal deviates. */
function orthogonalRows(rows, cols, seed) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < m.length; i++)
    m[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  for (let r = 0; r < rows; r++) {
    const row = m.subarray(r * cols, (r + 1) * cols);
    for (let q = 0; q < r; q++) {
      const prev = m.subarray(q * cols, (q + 1) * cols);
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += row[c] * prev[c];
      for (let c = 0; c < cols; c++) row[c] -= dot * prev[c];
    }
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += row[c] * row[c];
    norm = Math.sqrt(norm);
    for (let c = 0; c < cols; c++) row[c] /= norm;
  }
  return Float32Array.from(m);
}
