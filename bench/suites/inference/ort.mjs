// ONNX Runtime for Node (onnxruntime-node, CPU) running cnn.onnx from export_onnx.py: batch-1
// latency (median and p99 over --latency-calls calls) and batch-256 throughput (samples/s from the
// median call). `node bench/suites/inference/ort.mjs [--latency-calls 1000] [--min-seconds 2]`
import { timeOrtCnn } from '../common/ort-cnn.mjs';

await timeOrtCnn({
  suite: 'inference',
  contender: 'ort',
  file: 'cnn.onnx',
  imageShape: [1, 28, 28],
});
