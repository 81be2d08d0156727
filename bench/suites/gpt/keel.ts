/**
 * Keel: the char-GPT of examples/char-gpt.ts (4 layers, 4 heads, embedding 128, context 64, batch 12,
 * Moby-Dick's 89 characters; AdamW lr 1e-3 betas 0.9/0.99 weight decay 0.1 on matrices, clip 1.0).
 * Measures (a) seconds per training iteration (`trainOnBatch`, median over --iters iterations after
 * --warmup untimed ones) and (b) generation tokens/s with the key/value cache (`generate`, greedy,
 * --new-tokens tokens after a 1-token prompt, median of --gen-reps generations after one untimed).
 * `node --import tsx bench/suites/gpt/keel.ts [--iters 30 --warmup 5 --new-tokens 63 --gen-reps 5]`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, generate, Rng, setSeed, type Tensor, tensor } from '../../../src/index.js';
import { buildKeelCharGpt } from '../common/keel-gpt.js';
import { cacheDir, median, parseArgs, report, timeOnce } from '../common/report.mjs';

const args = parseArgs();
const iters = Number(args['iters'] ?? 30);
const warmup = Number(args['warmup'] ?? 5);
const newTokens = Number(args['new-tokens'] ?? 63);
const genReps = Number(args['gen-reps'] ?? 5);
const context = 64;
const batchSize = 12;
setSeed(1337);

// The text and vocabulary written by gpt/export-moby-dick.ts (the PyTorch contender reads the same).
const text = readFileSync(join(cacheDir, 'moby-dick.txt'), 'utf8');
const chars = JSON.parse(readFileSync(join(cacheDir, 'moby-dick-vocab.json'), 'utf8')) as string[];
const index = new Map(chars.map((c, i) => [c, i]));
const ids = Int32Array.from(text, (c) => index.get(c)!);
const train = ids.subarray(0, Math.floor(0.9 * ids.length));

function batch(rng: Rng): [Tensor, Tensor] {
  const x = new Int32Array(batchSize * context);
  const y = new Int32Array(batchSize * context);
  for (let b = 0; b < batchSize; b++) {
    const start = rng.int(train.length - context - 1);
    x.set(train.subarray(start, start + context), b * context);
    y.set(train.subarray(start + 1, start + context + 1), b * context);
  }
  return [tensor(x, [batchSize, context], 'int32'), tensor(y, [batchSize, context], 'int32')];
}

const gpt = buildKeelCharGpt(chars.length);

const rng = new Rng(1337);
const times: number[] = [];
const lossValues: number[] = [];
for (let i = 0; i < warmup + iters; i++) {
  const [x, y] = batch(rng);
  const seconds = await timeOnce(() => {
    lossValues.push(gpt.trainOnBatch(x, y) as number);
  });
  if (i >= warmup) times.push(seconds);
}

const decode = () => generate(gpt, [[0]], { maxNewTokens: newTokens, temperature: 0 });
decode(); // warm-up
const gen: number[] = [];
for (let i = 0; i < genReps; i++) gen.push(await timeOnce(decode));

report({
  suite: 'gpt',
  contender: 'keel',
  iterSeconds: median(times),
  tokensPerSecond: newTokens / median(gen),
  params: gpt.countParams(),
  timedIters: iters,
  newTokens,
  firstLoss: lossValues[0],
  lastLoss: lossValues.at(-1),
  threads: backendInfo().threads,
  runtime: backendInfo(),
});
