/**
 * Keel inference of the seed CNN (the weights of export_onnx.py): batch-1 latency of
 * `model.predict` (median and p99 over --latency-calls calls) and batch-256 throughput
 * (samples/s from the median call). `node --import tsx bench/suites/inference/keel.ts`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, tensor } from '../../../src/index.js';
import { buildKeelCnn } from '../common/keel-cnn.js';
import {
  cacheDir,
  loadMnistTrain,
  median,
  parseArgs,
  quantile,
  report,
  timeCalls,
} from '../common/report.mjs';

const args = parseArgs();
const latencyCalls = Number(args['latency-calls'] ?? 1000);
const minSeconds = Number(args['min-seconds'] ?? 2);

const model = buildKeelCnn();
const file = readFileSync(join(cacheDir, 'cnn-weights.bin'));
const flat = new Float32Array(file.buffer, file.byteOffset, file.byteLength / 4);
let at = 0;
model.setWeights(
  model.getWeights().map((w) => {
    const values = flat.slice(at, (at += w.size));
    return tensor(values, w.shape);
  }),
);
if (at !== flat.length)
  throw new Error(`bench: cnn-weights.bin has ${flat.length} floats, want ${at}`);

const data = loadMnistTrain();
const x = tensor(data.x.slice(0, 256 * 784), [256, 28, 28, 1]);
const x1 = tensor(data.x.slice(0, 784), [1, 28, 28, 1]);
const x4 = tensor(data.x.slice(0, 4 * 784), [4, 28, 28, 1]);

const latency = await timeCalls(() => model.predict(x1), {
  warmup: 50,
  minReps: latencyCalls,
  maxReps: latencyCalls,
  minSeconds: 0,
});
const batch = await timeCalls(() => model.predict(x, { batchSize: 256 }), {
  warmup: 2,
  minReps: 5,
  minSeconds,
});
const probe = model.predict(x4);

report({
  suite: 'inference',
  contender: 'keel',
  latencyMedianMs: median(latency) * 1e3,
  latencyP99Ms: quantile(latency, 0.99) * 1e3,
  throughput: 256 / median(batch),
  latencyCalls: latency.length,
  throughputCalls: batch.length,
  probe: Array.from((Array.isArray(probe) ? probe[0]! : probe).data as Float32Array),
  threads: backendInfo().threads,
  runtime: backendInfo(),
});
