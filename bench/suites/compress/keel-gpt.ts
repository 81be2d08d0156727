/**
 * Keel generation speed of the char-GPT (4 layers, 4 heads, embedding 128, context 64, vocabulary
 * 89, weights from setSeed(1); speed does not depend on the weights). --model picks the decoder:
 * float (the float GPT through `generate`, the ordinary layer-by-layer path), float-fused
 * (`compress.quantize(gpt, {mode: 'weight-only', bits: 32})`: float32 matrices on the fused
 * decoding loop, the fair baseline), int8 or int4 (weight-only, the same loop). Tokens/s from the
 * median call of `generate` making 63 tokens from a one-token prompt (batch 1, the key/value
 * cache the whole way). `--model all` times the four in alternation (--rounds, default 7) and
 * prints each median and the ratios int8/float-fused and int4/float-fused.
 * `node --import tsx bench/suites/compress/keel-gpt.ts --model all`
 */
import { backendInfo, compress, GPT, generate, setSeed, tensor } from '../../../src/index.js';
import { median, parseArgs, report, timeCalls } from '../common/report.mjs';

const KINDS = ['float', 'float-fused', 'int8', 'int4'] as const;
type Kind = (typeof KINDS)[number];
const args = parseArgs();
const kind = args['model'] ?? 'int8';
if (kind !== 'all' && !(KINDS as readonly string[]).includes(kind))
  throw new Error(`bench: --model ${KINDS.join('|')}|all, got ${kind}`);
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
const BITS = { 'float-fused': 32, int8: 8, int4: 4 } as const;

/** The decoder of one kind: a generate call and the model (for the probe). */
function decoder(k: Kind): {
  run: () => unknown;
  model: { apply(x: ReturnType<typeof tensor>): unknown };
} {
  if (k === 'float') return { run: () => generate(gpt, [[0]], options), model: gpt };
  const q = compress.quantize(gpt, {
    mode: 'weight-only',
    bits: BITS[k],
  }) as compress.WeightOnlyGPT;
  return { run: () => generate(q, [[0]], options), model: q };
}

if (kind === 'all') {
  // All four in one process, alternated: each round times one call of each, the order rotating.
  const rounds = Number(args['rounds'] ?? 7);
  const decoders = KINDS.map(decoder);
  for (const d of decoders) for (let i = 0; i < 2; i++) d.run();
  const rates: number[][] = KINDS.map(() => []);
  for (let round = 0; round < rounds; round++)
    for (let j = 0; j < KINDS.length; j++) {
      const i = (round + j) % KINDS.length;
      const t0 = performance.now();
      decoders[i]!.run();
      rates[i]!.push(63 / ((performance.now() - t0) / 1000));
    }
  const med = rates.map((r) => median(r));
  for (const [i, k] of KINDS.entries())
    console.log(`${k.padEnd(11)} ${med[i]!.toFixed(0).padStart(6)} tokens/s (median of ${rounds})`);
  const [float, fused, int8, int4] = med as [number, number, number, number];
  console.log(`float-fused/float: ${(fused / float).toFixed(2)}`);
  console.log(`int8/float-fused: ${(int8 / fused).toFixed(2)}`);
  console.log(`int4/float-fused: ${(int4 / fused).toFixed(2)}`);
  console.log(`int8/float: ${(int8 / float).toFixed(2)}`);
  report({
    suite: 'compress-gpt',
    contender: 'keel-all',
    tokensPerSecond: Object.fromEntries(KINDS.map((k, i) => [k, med[i]])),
    threads: backendInfo().threads,
    runtime: { ...backendInfo(), model: 'all', rounds },
  });
} else {
  const { run, model } = decoder(kind as Kind);
  const times = await timeCalls(run, { warmup: 2, minReps: 5, minSeconds });
  const probe = Array.from(
    (
      model.apply(tensor(Int32Array.from([1, 2, 3, 4]), [1, 4], 'int32')) as {
        data: Float32Array;
      }
    ).data.slice(0, 16),
  );
  report({
    suite: 'compress-gpt',
    contender:
      kind === 'float' ? 'keel-float' : kind === 'float-fused' ? 'keel-float-fused' : 'keel',
    throughput: 63 / median(times),
    throughputCalls: times.length,
    probe,
    threads: backendInfo().threads,
    runtime: { ...backendInfo(), model: kind },
  });
}
