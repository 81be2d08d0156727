import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from '../../src/models/generate.js';
import { GPT } from '../../src/models/gpt.js';
import { SparseCategoricalCrossentropy } from '../../src/nn/losses/sparse-categorical-crossentropy.js';
import { AdamW } from '../../src/nn/optimizers/adamw.js';
import { setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';

function tiny(): GPT {
  setSeed(7);
  return new GPT({
    vocabularySize: 13,
    sequenceLength: 10,
    numLayers: 2,
    numHeads: 2,
    hiddenDim: 8,
  });
}

describe('GPT', () => {
  it('counts parameters as summary() does, with tied embeddings', () => {
    const gpt = tiny();
    const lines: string[] = [];
    gpt.summary((l) => lines.push(l));
    const total = lines.find((l) => l.includes('Total params'))!;
    assert.match(total, new RegExp(`Total params: ${gpt.countParams().toLocaleString('en-US')} `));
    // embeddings 13·8 + 10·8; per block 4·(8·8 + 8) + 2·2·8 + (8·32 + 32) + (32·8 + 8); final norm 16.
    const block = 4 * (64 + 8) + 32 + (256 + 32) + (256 + 8);
    assert.equal(gpt.countParams(), 13 * 8 + 10 * 8 + 2 * block + 16);
    const logits = gpt.apply(tensor([[1, 2, 3]], [1, 3], 'int32'));
    assert.deepEqual(logits.shape, [1, 3, 13]);
  });

  it('generates the same tokens with the key/value cache as with full recomputation', () => {
    const gpt = tiny();
    const prompt = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const greedy = generate(gpt, prompt, { maxNewTokens: 6, temperature: 0 });
    assert.deepEqual(
      greedy,
      generate(gpt, prompt, { maxNewTokens: 6, temperature: 0, useCache: false }),
    );
    const opts = { maxNewTokens: 6, temperature: 1.3, topK: 6, topP: 0.95, seed: 11 };
    const sampled = generate(gpt, prompt, opts);
    assert.deepEqual(sampled, generate(gpt, prompt, { ...opts, useCache: false }));
    assert.deepEqual(sampled, generate(gpt, prompt, opts), 'a seed makes sampling reproducible');
    assert.equal(sampled[0]!.length, 9);
    // Past the context of 10 the window slides (recomputed); both paths still agree.
    const long = generate(gpt, [1, 2], { maxNewTokens: 12, temperature: 0 });
    assert.deepEqual(
      long,
      generate(gpt, [1, 2], { maxNewTokens: 12, temperature: 0, useCache: false }),
    );
    assert.throws(
      () => generate(gpt, [1, 13], { maxNewTokens: 1 }),
      /prompt token 13 is not an integer in \[0, 13\)/,
    );
    assert.throws(
      () => generate(gpt, [1], { maxNewTokens: 1, topP: 0 }),
      /topP must be in \(0, 1\]/,
    );
  });

  it('rejects sequences longer than its position table', () => {
    const gpt = tiny();
    assert.throws(
      () => gpt.apply(tensor([Array.from({ length: 11 }, (_, i) => i % 13)], [1, 11], 'int32')),
      /exceed the position table \(sequenceLength=10\)/,
    );
    assert.throws(
      () =>
        new GPT({ vocabularySize: 5, sequenceLength: 4, numLayers: 1, numHeads: 3, hiddenDim: 8 }),
      /divisible by numHeads=3/,
    );
  });

  it('learns to continue a repeated sequence with AdamW and trainOnBatch', () => {
    const gpt = tiny();
    const opt = new AdamW({ learningRate: 1e-2, weightDecay: 0.1, globalClipnorm: 1 });
    opt.excludeFromWeightDecay({ belowRank: 2 });
    gpt.compile({ optimizer: opt, loss: new SparseCategoricalCrossentropy({ fromLogits: true }) });
    const seq = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const x = tensor([seq.slice(0, 10)], [1, 10], 'int32');
    const y = tensor([seq.slice(1)], [1, 10], 'int32');
    const first = gpt.trainOnBatch(x, y) as number;
    let last = first;
    for (let i = 0; i < 40; i++) last = gpt.trainOnBatch(x, y) as number;
    assert.ok(last < first / 3, `loss ${first} -> ${last}`);
    assert.deepEqual(
      generate(gpt, [3, 1, 4], { maxNewTokens: 3, temperature: 0 })[0],
      [3, 1, 4, 1, 5, 9],
    );
  });
});
