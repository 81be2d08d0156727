/**
 * Keel inference of the seed CNN, float32 (--model float) or static int8 (--model int8, the
 * cnn-int8.keel of prepare.ts): batch-1 latency of `model.predict` (median and p99 over
 * --latency-calls calls) and batch-256 throughput (samples/s from the median call).
 * `node --import tsx bench/suites/compress/keel.ts --model int8`
 */
import { join } from 'node:path';
import { io } from '../../../src/index.js';
import { cacheDir, parseArgs } from '../common/report.mjs';
import { loadCnnWeights, timeKeelCnn } from '../common/time-cnn.js';

const kind = parseArgs()['model'] ?? 'int8';
if (kind === 'float')
  await timeKeelCnn(loadCnnWeights(), 'compress', 'keel-float', { model: kind });
else if (kind === 'int8')
  await timeKeelCnn(io.loadModel(join(cacheDir, 'cnn-int8.keel')), 'compress', 'keel', {
    model: kind,
  });
else throw new Error(`bench: --model int8|float, got ${kind}`);
