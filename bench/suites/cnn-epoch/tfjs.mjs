// TensorFlow.js (@tensorflow/tfjs, pure JS; --backend cpu or wasm): seconds for one training epoch
// of the seed CNN on the MNIST train split (batch 32, Adam lr 1e-3 eps 1e-7), timing model.fit on
// the first --samples samples and scaling to the epoch (the cpu backend needs minutes per epoch).
// The wasm backend lacks Conv2DBackpropFilter; see tfjs-wasm-gaps.mjs.
// `node bench/suites/cnn-epoch/tfjs.mjs --backend wasm [--samples 640]`
import { loadMnistTrain, parseArgs, threadCount, timeFitEpoch } from '../common/report.mjs';
import { fillWasmConv2DBackpropFilter } from './tfjs-wasm-gaps.mjs';

const args = parseArgs();
const backend = args.backend ?? 'cpu';
const threads = threadCount();
const { tf, threads: usedThreads, info } = await loadTfjs(backend, threads);

const data = loadMnistTrain();
const samples = Math.min(data.n, Number(args.samples ?? data.n));

const model = tf.sequential();
model.add(
  tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
);
model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
model.add(tf.layers.flatten());
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({
  optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-7),
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
});

await timeFitEpoch({
  suite: 'cnn-epoch',
  contender: `tfjs-${backend}`,
  model,
  batch: (from, to) => ({
    x: tf.tensor4d(data.x.subarray(from * 784, to * 784), [to - from, 28, 28, 1]),
    y: tf.tensor2d(data.oneHot.subarray(from * 10, to * 10), [to - from, 10]),
  }),
  samples,
  epochSamples: data.n,
  extra: () => ({
    threads: usedThreads,
    runtime: { tfjs: tf.version.tfjs, backend: tf.getBackend(), ...info },
  }),
});

/**
 * Imports tfjs and activates `backend`. The cpu backend is single-threaded JavaScript; the wasm
 * backend is asked for `threads` threads and reports how many it uses.
 */
async function loadTfjs(backend, threads) {
  const tf = await import('@tensorflow/tfjs');
  const wasm = backend === 'wasm' ? await import('@tensorflow/tfjs-backend-wasm') : null;
  wasm?.setThreadsCount(threads);
  // tfjs prints a hint about tfjs-node on stderr; the JSON line goes to stdout.
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' did not start`);
  await tf.ready();
  if (!wasm) return { tf, threads: 1, info: {} };
  const info = {
    filledKernel: fillWasmConv2DBackpropFilter(tf),
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
  return { tf, threads: wasm.getThreadsCount(), info };
}
