/**
 * Keel generation speed of the char-GPT (4 layers, 4 heads, embedding 128, context 64, vocabulary
 * 89, weights from setSeed(1); speed does not depend on the weights): float32 (--model float) or
 * weight-only int8 / int4 (--model int8 | int4, `compress.quantize(gpt, {mode: 'weight-only'})`).
 * Tokens/s from the median call of `generate` making 63 tokens from a one-token prompt (batch 1,
 * the key/value cache the whole way).
 * `node --import tsx bench/suites/compress/keel-gpt.ts --model int8`
 */
import { backendInfo, compress, GPT, generate, setSeed, tensor } from '../../../src/index.js';
import { median, parseArgs, report, timeCalls } from '../common/report.mjs';

const args = parseArgs();
const kind = args['model'] ?? 'int8';
if (kind !== 'int8' && kind !== 'int4' && kind !== 'float')
  throw new Error(`bench: --model int8|int4|float, got ${kind}`);
const minSeconds = Number(args['min-seconds'] ?? 2);
setSeed(1);
const gpt = new GPT({
  vocabularySize: 89,
  sequenceLength: 64,
  numLayers: 4,
  numHeads: 4,
  hiddenDim: 128,
  dropout: 0,
});
const options = { maxNewTokens: 63, temperature: 0.8, topK: 20, seed: 1 };
let run: () => unknown;
let probeModel: { apply(x: ReturnType<typeof tensor>): unknown };
if (kind === 'float') {
  run = () => generate(gpt, [[0]], options);
  probeModel = gpt;
} else {
  const q = compress.quantize(gpt, {
    mode: 'weight-only',
    bits: kind === 'int8' ? 8 : 4,
  }) as compress.WeightOnlyGPT;
  run = () => generate(q, [[0]], options);
  probeModel = q;
}
const times = await timeCalls(run, { warmup: 2, minReps: 5, minSeconds });
const probe = Array.from(
  (
    probeModel.apply(tensor(Int32Array.from([1, 2, 3, 4]), [1, 4], 'int32')) as {
      data: Float32Array;
    }
  ).data.slice(0, 16),
);
report({
  suite: 'compress-gpt',
  contender: kind === 'float' ? 'keel-float' : 'keel',
  throughput: 63 / median(times),
  throughputCalls: times.length,
  probe,
  threads: backendInfo().threads,
  runtime: { ...backendInfo(), model: kind },
});
