/**
 * Keel's float32 GEMM: the median seconds of `ops.matMul(a, b)` on two n×n matrices.
 * `node --import tsx bench/suites/gemm/keel.ts --n 512 [--min-seconds 1]`
 */
import { backendInfo, ops, tensor } from '../../../src/index.js';
import { fillRandom, median, parseArgs, report, timeCalls } from '../common/report.mjs';

const args = parseArgs();
const n = Number(args['n'] ?? 512);
const minSeconds = Number(args['min-seconds'] ?? 1);

const a = tensor(fillRandom(n * n, 1), [n, n]);
const b = tensor(fillRandom(n * n, 2), [n, n]);
const times = await timeCalls(() => ops.matMul(a, b), { minReps: 3, minSeconds });
const seconds = median(times);
report({
  suite: 'gemm',
  contender: 'keel',
  n,
  seconds,
  gflops: (2 * n ** 3) / seconds / 1e9,
  reps: times.length,
  threads: backendInfo().threads,
  runtime: backendInfo(),
});
