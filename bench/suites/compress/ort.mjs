// ONNX Runtime for Node (onnxruntime-node, CPU) running cnn-int8-qdq.onnx, Keel's QDQ export of
// its static int8 seed CNN (prepare.ts), which ONNX Runtime's optimizer turns into QLinearConv
// and uint8 pooling: batch-1 latency (median and p99 over --latency-calls calls) and batch-256
// throughput. `node bench/suites/compress/ort.mjs [--latency-calls 1000] [--min-seconds 2]`
import { timeOrtCnn } from '../common/ort-cnn.mjs';

await timeOrtCnn({
  suite: 'compress',
  contender: 'ort-int8',
  file: 'cnn-int8-qdq.onnx',
  imageShape: [28, 28, 1],
});
