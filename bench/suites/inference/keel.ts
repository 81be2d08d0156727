/**
 * Keel inference of the seed CNN (the weights of export_onnx.py): batch-1 latency of
 * `model.predict` (median and p99 over --latency-calls calls) and batch-256 throughput
 * (samples/s from the median call). `node --import tsx bench/suites/inference/keel.ts`
 */
import { loadCnnWeights, timeKeelCnn } from '../common/time-cnn.js';

await timeKeelCnn(loadCnnWeights(), 'inference', 'keel');
