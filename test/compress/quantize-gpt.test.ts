import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { quantize, WeightOnlyGPT } from '../../src/compress/index.js';
import { loadModel } from '../../src/io/index.js';
import { generate } from '../../src/models/generate.js';
import { GPT } from '../../src/models/gpt.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

setSeed(5);
// Odd sizes: vocabulary 23, so the head's N is not a multiple of 16.
const gpt = new GPT({
  vocabularySize: 23,
  sequenceLength: 16,
  numLayers: 2,
  numHeads: 2,
  hiddenDim: 32,
  dropout: 0,
});
const ids = tensor(
  Int32Array.from({ length: 3 * 10 }, (_, i) => (i * 7 + 3) % 23),
  [3, 10],
  'int32',
);
const floatLogits = gpt.apply(ids) as Tensor;

function maxDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

describe('quantize(gpt, {mode: weight-only})', () => {
  for (const [bits, tol] of [
    [8, 0.01],
    [4, 0.2],
  ] as const)
    it(`int${bits}: logits near the float model's, cached decoding equals the full pass`, () => {
      const q = quantize(gpt, { mode: 'weight-only', bits }) as WeightOnlyGPT;
      assert.ok(q instanceof WeightOnlyGPT);
      const logits = q.apply(ids) as Tensor;
      assert.deepEqual(logits.shape, [3, 10, 23]);
      const scale = Math.max(...Array.from(floatLogits.data, Math.abs));
      const d = maxDiff(logits, floatLogits);
      assert.ok(d > 0 && d < tol * scale, `max diff ${d}, max |logit| ${scale}`);
      let caches = null as Parameters<WeightOnlyGPT['callWithCache']>[1];
      for (let t = 0; t < 10; t++) {
        const step = tensor(
          Int32Array.from([0, 1, 2], (b) => ids.data[b * 10 + t]!),
          [3, 1],
          'int32',
        );
        const r = q.callWithCache(step, caches);
        caches = r.caches;
        for (let b = 0; b < 3; b++)
          for (let v = 0; v < 23; v++)
            assert.equal(r.logits.data[b * 23 + v], logits.data[(b * 10 + t) * 23 + v]);
      }
    });

  it('generates the same tokens for the same seed, and decodes greedily like the full pass', () => {
    const q = quantize(gpt, { mode: 'weight-only', bits: 8 }) as WeightOnlyGPT;
    const a = generate(q, [[1, 2]], { maxNewTokens: 12, temperature: 0.8, topK: 5, seed: 3 });
    const b = generate(q, [[1, 2]], { maxNewTokens: 12, temperature: 0.8, topK: 5, seed: 3 });
    assert.deepEqual(a, b);
    assert.equal(a[0]!.length, 14);
    assert.ok(a[0]!.every((t) => Number.isInteger(t) && t >= 0 && t < 23));
    // Past the context (16) generate recomputes the window each step: no cache involved.
    const greedy = generate(q, [[4]], { maxNewTokens: 20, temperature: 0 });
    const uncached = generate(q, [[4]], { maxNewTokens: 20, temperature: 0, useCache: false });
    assert.deepEqual(greedy, uncached);
  });

  it('saves and loads: the same logits from a smaller file', () => {
    const dir = tmpdir();
    const floatPath = join(dir, `keel-wo-float-${process.pid}.keel`);
    gpt.save(floatPath, { inputShapes: [[null, 16]] });
    for (const bits of [8, 4] as const) {
      const q = quantize(gpt, { mode: 'weight-only', bits, groupSize: 32 }) as WeightOnlyGPT;
      const path = join(dir, `keel-wo-int${bits}-${process.pid}.keel`);
      q.save(path, { inputShapes: [[null, 16]] });
      const back = loadModel(path) as WeightOnlyGPT;
      assert.ok(back instanceof WeightOnlyGPT);
      assert.equal(back.bits, bits);
      assert.equal(maxDiff(back.apply(ids) as Tensor, q.apply(ids) as Tensor), 0);
      const ratio = statSync(floatPath).size / statSync(path).size;
      assert.ok(ratio > (bits === 8 ? 2.5 : 3.5), `int${bits} file ratio ${ratio}`);
    }
  });

  it('names the matrices it quantized and the parts left float', () => {
    const q = quantize(gpt, { mode: 'weight-only', bits: 4, groupSize: 64 }) as WeightOnlyGPT;
    const s = q.quantizationSummary();
    assert.equal(s.quantized.length, 2 * 4 + 1);
    assert.ok(s.quantized.includes('head (int4, groups of 64)'));
    assert.deepEqual(
      s.float.map((f) => f.name),
      ['token_embeddings', 'position_embeddings', 'layer norms'],
    );
  });

  it('rejects bad bits, group sizes, models, layer lists and caches with clear errors', () => {
    assert.throws(
      () => quantize(gpt, { mode: 'weight-only', bits: 3 as 8 }),
      /quantize: bits must be 8, 4 or 32 \(float\) for mode 'weight-only', got 3 \(GPT/,
    );
    assert.throws(
      () => quantize(gpt, { mode: 'weight-only', bits: 4, groupSize: 48 }),
      /quantize: groupSize must be one of 32, 64, 128, got 48 \(layer '.*transformer_layer_0'/,
    );
    const mlp = new Sequential([new Dense(4, { inputShape: [3] })]);
    assert.throws(
      () => quantize(mlp, { mode: 'weight-only', bits: 8 }),
      /mode 'weight-only' quantizes GPT models/,
    );
    assert.throws(
      () => quantize(gpt, { mode: 'weight-only', bits: 8, layers: ['x'] }),
      /the layers option is not supported/,
    );
    const q = quantize(gpt, { mode: 'weight-only', bits: 8 }) as WeightOnlyGPT;
    assert.throws(() => q.apply(ids, { training: true }), /inference only \(no gradient\)/);
    const one = tensor(Int32Array.from([1]), [1, 1], 'int32');
    const first = q.callWithCache(one, null);
    q.callWithCache(one, first.caches);
    assert.throws(() => q.callWithCache(one, first.caches), /stale cache \(1 steps/);
    assert.throws(
      () => q.callWithCache(tensor(new Int32Array(17), [1, 17], 'int32'), null),
      /exceed the context \(sequenceLength=16\)/,
    );
    assert.throws(
      () => q.callWithCache(tensor(Int32Array.from([23]), [1, 1], 'int32'), null),
      /token id 23 is not an integer in \[0, 23\)/,
    );
  });
});
