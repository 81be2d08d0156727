/**
 * Keel generation speed of the char-GPT (4 layers, 4 heads, embedding 128, context 64, vocabulary
 * 89, weights from setSeed(1); speed does not depend on the weights), or with `--size large` a
 * randomly initialised GPT of the same architecture beyond the cache (6 layers, 8 heads, embedding
 * 512, vocabulary 256: 19M parameters, 76 MB in float32; not the char-GPT row).
 * --model picks the decoder: float (the float GPT through `generate` with decoder 'layers', the
 * layer-by-layer path), float-native (plain `generate(gpt)`: the native decoding step, one native
 * call per token, weights float32, copied into the step's layout once per generate call),
 * float-step (`quantize(gpt, {mode: 'weight-only', bits: 32})`: the same step, no copy),
 * float-loop (the same bits-32 model on the TypeScript fused loop, one native product per matrix), int8 / int4 (weight-only, the
 * native step) and int8-loop / int4-loop (the same on the TypeScript loop). Tokens/s from the
 * median call of `generate` making 63 tokens from a one-token prompt (batch 1, the key/value
 * cache the whole way). `--model all` times them all in alternation (--rounds, default 7) and
 * prints each median and its ratio to the fastest float decoder.
 * `node --import tsx bench/suites/compress/keel-gpt.ts --model all --rounds 41`
 */

import { weightOnlyBinding } from '../../../src/backends/native/kernels/weight-only-matmul.js';
import { backendInfo, compress, GPT, generate, setSeed, tensor } from '../../../src/index.js';
import { median, parseArgs, report, timeCalls } from '../common/report.mjs';

const KINDS = [
  'float',
  'float-loop',
  'float-native',
  'float-step',
  'int8-loop',
  'int8',
  'int4-loop',
  'int4',
] as const;
const FLOATS = ['float', 'float-loop', 'float-native', 'float-step'];
type Kind = (typeof KINDS)[number];
const args = parseArgs();
const kind = args['model'] ?? 'int8';
if (kind !== 'all' && !(KINDS as readonly string[]).includes(kind))
  throw new Error(`bench: --model ${KINDS.join('|')}|all, got ${kind}`);
const minSeconds = Number(args['min-seconds'] ?? 2);
const size = args['size'] ?? 'char';
if (size !== 'char' && size !== 'large') throw new Error(`bench: --size char|large, got ${size}`);
setSeed(1);
const gpt = new GPT(
  size === 'char'
    ? { vocabularySize: 89, sequenceLength: 64, numLayers: 4, numHeads: 4, hiddenDim: 128 }
    : { vocabularySize: 256, sequenceLength: 64, numLayers: 6, numHeads: 8, hiddenDim: 512 },
);
const options = { maxNewTokens: 63, temperature: 0.8, topK: 20, seed: 1 };
const BITS = {
  'float-loop': 32,
  'float-step': 32,
  'int8-loop': 8,
  'int4-loop': 4,
  int8: 8,
  int4: 4,
} as const;

/** The decoder of one kind: a generate call and the model (for the probe). */
function decoder(k: Kind): {
  run: () => unknown;
  model: { apply(x: ReturnType<typeof tensor>): unknown };
} {
  if (k === 'float')
    return { run: () => generate(gpt, [[0]], { ...options, decoder: 'layers' }), model: gpt };
  if (k === 'float-native') return { run: () => generate(gpt, [[0]], options), model: gpt };
  const q = compress.quantize(gpt, {
    mode: 'weight-only',
    bits: BITS[k],
  }) as compress.WeightOnlyGPT;
  q.decodePath = k.endsWith('-loop') ? 'loop' : 'native';
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
  const fastest = Math.max(...KINDS.map((k, i) => (FLOATS.includes(k) ? med[i]! : 0)));
  const info = backendInfo();
  console.log(
    `${size} GPT, ${gpt.countParams()} parameters; ISA ${info.isa}, weight-only path ${weightOnlyBinding()?.weightOnlyPath() ?? 'none'}, ${info.threads} threads`,
  );
  for (const [i, k] of KINDS.entries())
    console.log(
      `${k.padEnd(12)} ${med[i]!.toFixed(0).padStart(6)} tokens/s (median of ${rounds}), ${(med[i]! / fastest).toFixed(2)}x the fastest float`,
    );
  report({
    suite: 'compress-gpt',
    contender: 'keel-all',
    tokensPerSecond: Object.fromEntries(KINDS.map((k, i) => [k, med[i]])),
    threads: backendInfo().threads,
    runtime: { ...backendInfo(), model: 'all', size, rounds },
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
    contender: `keel-${kind}`,
    throughput: 63 / median(times),
    throughputCalls: times.length,
    probe,
    threads: backendInfo().threads,
    runtime: { ...backendInfo(), model: kind, size },
  });
}
