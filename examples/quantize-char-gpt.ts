/**
 * Weight-only quantization of the char-GPT (issue 12): the model of `char-gpt` (4 layers, 4 heads,
 * embedding 128, context 64) quantized to int8 (per output channel) and int4 (groups of 32),
 * compared with float32 on the validation split (the last 10% of Moby-Dick, the same 20 batches
 * of 12 windows that char-gpt's estimate uses) and in generation speed (63 new tokens from a
 * one-token prompt, medians of the rounds) of four decoders alternated: float on the ordinary
 * layer-by-layer path, float on the native decoding step (`bits: 32`, one native call per token:
 * the fair baseline, what plain `generate(gpt)` runs), int8 and int4 on the same step. The
 * speed-ups are against float on the native step ("fused").
 * `npm run example -- quantize-char-gpt --weights gpt.safetensors [--seed 1337] [--rounds 7]`
 * reads weights written by `npm run example -- char-gpt --save-weights gpt.safetensors`; without
 * the file, that training runs first (`--iters`, `--seed`) and writes it.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compress,
  datasets,
  GPT,
  generate,
  losses,
  type Model,
  noGrad,
  Rng,
  type Tensor,
  tensor,
} from '../src/index.js';
import { exampleArgs } from './args.js';

const { seed = 1337, iters = 2000, layers = 4, hidden = 128, rounds = 7 } = exampleArgs();
const weights =
  exampleArgs().weights ?? join(tmpdir(), `keel-char-gpt-${seed}-${iters}.safetensors`);
if (!existsSync(weights)) {
  // char-gpt trains and writes the weights (it reads the same process arguments).
  process.argv.push('--save-weights', weights);
  await import('./char-gpt.js');
}
const context = 64;
const batchSize = 12;
const evalBatches = 20;
const text = datasets.mobyDick();
const chars = [...new Set(text)].sort();
const ids = Int32Array.from(text, (c) => chars.indexOf(c));
const val = ids.subarray(Math.floor(0.9 * ids.length));

const gpt = new GPT({
  vocabularySize: chars.length,
  sequenceLength: context,
  numLayers: layers,
  numHeads: 4,
  hiddenDim: hidden,
  dropout: 0,
});
gpt.loadWeights(weights);
const int8 = compress.quantize(gpt, { mode: 'weight-only', bits: 8 }) as compress.WeightOnlyGPT;
const int4 = compress.quantize(gpt, { mode: 'weight-only', bits: 4, groupSize: 32 });
const fused = compress.quantize(gpt, { mode: 'weight-only', bits: 32 }) as compress.WeightOnlyGPT;
const models: [string, GPT | compress.WeightOnlyGPT][] = [
  ['Float', gpt],
  ['Int8', int8],
  ['Int4', int4 as compress.WeightOnlyGPT],
];
// The decoders timed: float twice (ordinary path, fused loop), then int8 and int4.
const decoders: [string, GPT | compress.WeightOnlyGPT][] = [
  ['Float (ordinary path)', gpt],
  ['Float (fused loop)', fused],
  ['Int8', int8],
  ['Int4', int4 as compress.WeightOnlyGPT],
];
console.log(`Quantized: ${int8.quantizationSummary().quantized.join(', ')}`);
console.log(
  `Left float32: ${int8
    .quantizationSummary()
    .float.map((f) => `${f.name} (${f.reason})`)
    .join(', ')}`,
);

/** Mean validation loss and accuracy over char-gpt's fixed windows (Rng(seed + 2)). */
function validation(model: Model): { loss: number; accuracy: number } {
  const rng = new Rng(seed + 2);
  const loss = new losses.SparseCategoricalCrossentropy({ fromLogits: true });
  let total = 0;
  let correct = 0;
  noGrad(() => {
    for (let i = 0; i < evalBatches; i++) {
      const x = new Int32Array(batchSize * context);
      const y = new Int32Array(batchSize * context);
      for (let b = 0; b < batchSize; b++) {
        const start = rng.int(val.length - context - 1);
        x.set(val.subarray(start, start + context), b * context);
        y.set(val.subarray(start + 1, start + context + 1), b * context);
      }
      const yt = tensor(y, [batchSize, context], 'int32');
      const logits = model.apply(tensor(x, [batchSize, context], 'int32')) as Tensor;
      total += loss.compute(yt, logits).item();
      const V = chars.length;
      for (let r = 0; r < y.length; r++) {
        let best = 0;
        for (let v = 1; v < V; v++)
          if (logits.data[r * V + v]! > logits.data[r * V + best]!) best = v;
        if (best === y[r]) correct++;
      }
    }
  });
  return { loss: total / evalBatches, accuracy: correct / (evalBatches * batchSize * context) };
}

const results = models.map(([name, m]) => ({ name, ...validation(m) }));
for (const r of results) console.log(`${r.name} validation loss: ${r.loss.toFixed(4)}`);

// File sizes: each model written as a Keel model file.
const dir = mkdtempSync(join(tmpdir(), 'keel-quantize-char-gpt-'));
const bytes = models.map(([name, m]) => {
  const path = join(dir, `${name}.keel`);
  m.save(path, { inputShapes: [[null, context]] });
  return statSync(path).size;
});
rmSync(dir, { recursive: true, force: true });

// Generation speed: 63 tokens (the whole context) per run, the decoders alternated each round
// (the order rotating), round 0 a warm-up.
const newline = chars.indexOf('\n');
const rates: number[][] = decoders.map(() => []);
for (let round = 0; round <= rounds; round++)
  for (let j = 0; j < decoders.length; j++) {
    const i = (round + j) % decoders.length;
    const m = decoders[i]![1];
    const t0 = performance.now();
    const options = { maxNewTokens: context - 1, temperature: 0.8, topK: 20, seed: round };
    if (m instanceof GPT) generate(m, [[newline]], { ...options, decoder: 'layers' });
    else generate(m, [[newline]], options);
    if (round > 0) rates[i]!.push((context - 1) / ((performance.now() - t0) / 1000));
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [ordinary, floatFused, int8Rate, int4Rate] = rates.map(median) as [
  number,
  number,
  number,
  number,
];
for (const [i, [name]] of decoders.entries())
  console.log(`${name} generation: ${median(rates[i]!).toFixed(0)} tokens/s (median of ${rounds})`);
console.log(`Int8 loss increase: ${(results[1]!.loss - results[0]!.loss).toFixed(4)}`);
console.log(`Int4 loss increase: ${(results[2]!.loss - results[0]!.loss).toFixed(4)}`);
console.log(`Fused loop speed-up (float): ${(floatFused / ordinary).toFixed(2)}`);
console.log(`Int8 generation speed-up (vs float fused): ${(int8Rate / floatFused).toFixed(2)}`);
console.log(`Int4 generation speed-up (vs float fused): ${(int4Rate / floatFused).toFixed(2)}`);
console.log(`Int8 file size ratio: ${(bytes[0]! / bytes[1]!).toFixed(2)}`);
console.log(`Int4 file size ratio: ${(bytes[0]! / bytes[2]!).toFixed(2)}`);
const sample = generate(int8, [[newline]], { maxNewTokens: 200, temperature: 0.8, topK: 20, seed });
console.log(
  `--- int8 sample ---\n${sample[0]!
    .slice(1)
    .map((i) => chars[i])
    .join('')}\n---`,
);
console.log(`Test loss: ${results[1]!.loss}`);
console.log(`Test accuracy: ${results[1]!.accuracy}`);
