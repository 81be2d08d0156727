// ONNX Runtime for Node (onnxruntime-node, CPU) running cnn.onnx from export_onnx.py: batch-1
// latency (median and p99 over --latency-calls calls) and batch-256 throughput (samples/s from the
// median call). `node bench/suites/inference/ort.mjs [--latency-calls 1000] [--min-seconds 2]`
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  cacheDir,
  loadMnistTrain,
  median,
  parseArgs,
  quantile,
  report,
  threadCount,
  timeCalls,
} from '../common/report.mjs';

const args = parseArgs();
const latencyCalls = Number(args['latency-calls'] ?? 1000);
const minSeconds = Number(args['min-seconds'] ?? 2);
const threads = threadCount();

const session = await ort.InferenceSession.create(join(cacheDir, 'cnn.onnx'), {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const input = session.inputNames[0];
const output = session.outputNames[0];
// NHWC with one channel is the same memory as the model's NCHW input.
const data = loadMnistTrain();
const x = new ort.Tensor('float32', data.x.slice(0, 256 * 784), [256, 1, 28, 28]);
const x1 = new ort.Tensor('float32', data.x.slice(0, 784), [1, 1, 28, 28]);
const x4 = new ort.Tensor('float32', data.x.slice(0, 4 * 784), [4, 1, 28, 28]);

const latency = await timeCalls(() => session.run({ [input]: x1 }), {
  warmup: 50,
  minReps: latencyCalls,
  maxReps: latencyCalls,
  minSeconds: 0,
});
const batch = await timeCalls(() => session.run({ [input]: x }), {
  warmup: 2,
  minReps: 5,
  minSeconds,
});
const probe = Array.from((await session.run({ [input]: x4 }))[output].data);

report({
  suite: 'inference',
  contender: 'ort',
  latencyMedianMs: median(latency) * 1e3,
  latencyP99Ms: quantile(latency, 0.99) * 1e3,
  throughput: 256 / median(batch),
  latencyCalls: latency.length,
  throughputCalls: batch.length,
  probe,
  threads,
  runtime: { onnxruntime: ort.env.versions?.common ?? 'unknown', executionProvider: 'cpu' },
});
