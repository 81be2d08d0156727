/**
 * Batch-1 latency of a 90%-sparse Dense 784→300 (relu), LeNet-300-100's first layer after
 * 90% magnitude pruning: --model sparse runs the stripped pruned layer (CSR kernel,
 * ops.sparseDense), --model dense the same weights on the dense kernel. Median and p99 over
 * --latency-calls calls of `layer.apply` on one image. Self-contained (random weights, seed 1).
 * `node --import tsx bench/suites/compress/sparse-dense.ts --model sparse`
 */
import { compress, layers, noGrad, randomNormal, Sequential, setSeed } from '../../../src/index.js';
import { parseArgs, quantile, report, timeCalls } from '../common/report.mjs';

const args = parseArgs();
const kind = args['model'] ?? 'sparse';
if (kind !== 'sparse' && kind !== 'dense')
  throw new Error(`bench: --model sparse|dense, got ${kind}`);
setSeed(1);
const inputs = Number(args['inputs'] ?? 784);
const units = Number(args['units'] ?? 300);
const layer = new layers.Dense(units, { activation: 'relu', inputShape: [inputs] });
const model = new Sequential([layer]);
const handle = compress.pruneLowMagnitude(model, {
  schedule: new compress.ConstantSparsity({ targetSparsity: 0.9, beginStep: 0 }),
});
handle.updateMasks(0.9);
compress.stripPruning(model);
// The kernel is measured, not stripPruning's choice of it (sparseKernelPays).
layer.useSparseKernel(kind === 'sparse');
if (layer.usesSparseKernel !== (kind === 'sparse'))
  throw new Error('bench: sparse kernel not as asked');
const x = randomNormal([1, inputs]);
const times = await timeCalls(() => noGrad(() => layer.apply(x)), {
  warmup: 200,
  minReps: Number(args['latency-calls'] ?? 1000),
  minSeconds: 0,
});
report({
  suite: 'compress',
  contender: kind === 'sparse' ? 'keel' : 'keel-float',
  latencyMedianMs: quantile(times, 0.5) * 1e3,
  latencyP99Ms: quantile(times, 0.99) * 1e3,
  sparsity: compress.sparsity(model).sparsity,
});
