/**
 * GPT-2 weights against a hostile config: every size (n_embd, n_head, n_layer, vocab_size,
 * n_positions) must be a positive integer and agree with every tensor's shape, checked before the
 * model is allocated (proved by running under a zero-byte allocation budget: any allocation would
 * be a budget error, not the shape error asserted); building runs under the load budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GPT2Config, gpt2FromTensors } from '../../src/io/gpt2.js';
import { withAllocationBudget } from '../../src/tensor/allocation-budget.js';
import { zeros } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const [V, P, D, H, L] = [11, 6, 8, 2, 2];

function weights(d = D, layers = L): Map<string, Tensor> {
  const w = new Map<string, Tensor>();
  w.set('wte.weight', zeros([V, d]));
  w.set('wpe.weight', zeros([P, d]));
  for (let i = 0; i < layers; i++) {
    const p = `h.${i}.`;
    for (const n of ['ln_1', 'ln_2']) {
      w.set(`${p}${n}.weight`, zeros([d]));
      w.set(`${p}${n}.bias`, zeros([d]));
    }
    w.set(`${p}attn.c_attn.weight`, zeros([d, 3 * d]));
    w.set(`${p}attn.c_attn.bias`, zeros([3 * d]));
    w.set(`${p}attn.c_proj.weight`, zeros([d, d]));
    w.set(`${p}attn.c_proj.bias`, zeros([d]));
    w.set(`${p}mlp.c_fc.weight`, zeros([d, 4 * d]));
    w.set(`${p}mlp.c_fc.bias`, zeros([4 * d]));
    w.set(`${p}mlp.c_proj.weight`, zeros([4 * d, d]));
    w.set(`${p}mlp.c_proj.bias`, zeros([d]));
  }
  w.set('ln_f.weight', zeros([d]));
  w.set('ln_f.bias', zeros([d]));
  return w;
}

const size = (ts: Tensor[]) => ts.reduce((n, t) => n + t.size, 0);

const good: GPT2Config = { n_embd: D, n_head: H, n_layer: L, vocab_size: V, n_positions: P };

/** Loads under a budget of zero bytes: passing the checks would fail on the first allocation. */
function loadUnallocated(tensors: Map<string, Tensor>, config: unknown, numHeads?: number) {
  return withAllocationBudget(0, () =>
    gpt2FromTensors(tensors, { config: config as GPT2Config, numHeads }, 'gpt2.safetensors'),
  );
}

describe('GPT-2 config against the tensors', () => {
  const w = weights();

  it('a config that agrees loads, taking the heads from n_head', () => {
    const gpt = gpt2FromTensors(w, { config: good });
    assert.equal(size(gpt.weights), size([...w.values()]));
    assert.throws(() => loadUnallocated(w, good), /maxActivationBytes/);
  });

  it('hostile values are errors naming the key, before anything is allocated', () => {
    for (const [key, v] of [
      ['n_embd', 0],
      ['n_head', -2],
      ['n_layer', 1.5],
      ['vocab_size', '11'],
      ['n_positions', Number.NaN],
      ['n_embd', 2 ** 53],
      ['n_layer', null],
    ] as const) {
      assert.throws(
        () => loadUnallocated(w, { ...good, [key]: v }),
        new RegExp(`gpt2\\.safetensors: config ${key} must be a positive integer`),
        `${key}=${String(v)}`,
      );
    }
    assert.throws(() => loadUnallocated(w, [D]), /config must be an object/);
    assert.throws(
      () => loadUnallocated(w, { ...good, layer_norm_epsilon: -1 }),
      /layer_norm_epsilon must be a positive number/,
    );
  });

  it('sizes that disagree with the tensors name the tensor and both shapes', () => {
    const cases: [GPT2Config, RegExp][] = [
      [
        { ...good, n_embd: 2 ** 40 },
        /numHeads=2 must .* dividing|'wte\.weight' has shape \[11, 8\], expected \[11, 1099511627776\]/,
      ],
      [{ ...good, n_embd: 16 }, /tensor 'wte\.weight' has shape \[11, 8\], expected \[11, 16\]/],
      [
        { ...good, vocab_size: 50257 },
        /tensor 'wte\.weight' has shape \[11, 8\], expected \[50257, 8\]/,
      ],
      [
        { ...good, n_positions: 1024 },
        /tensor 'wpe\.weight' has shape \[6, 8\], expected \[1024, 8\]/,
      ],
      [{ ...good, n_layer: 48 }, /missing tensor 'h\.2\.ln_1\.weight'/],
      [{ ...good, n_layer: 1 }, /the file has 2 blocks \(h\.0 to h\.1\), config n_layer=1/],
      [{ ...good, n_head: 3 }, /numHeads=3 must be a positive integer dividing the width 8/],
    ];
    for (const [config, pattern] of cases) assert.throws(() => loadUnallocated(w, config), pattern);
    assert.throws(() => loadUnallocated(w, good, 4), /numHeads=4 disagrees with config n_head=2/);
    assert.throws(() => loadUnallocated(w, { n_layer: 2 }), /numHeads=undefined must be/);
  });

  it('a bad tensor in the last block is found before the first block is built', () => {
    const bad = weights();
    bad.set(`h.${L - 1}.mlp.c_proj.bias`, zeros([D + 1]));
    assert.throws(
      () => loadUnallocated(bad, good),
      /tensor 'h\.1\.mlp\.c_proj\.bias' has shape \[9\], expected \[8\] \(from the config and the file\)/,
    );
    const empty = weights();
    empty.set('wte.weight', zeros([0, D]));
    assert.throws(() => loadUnallocated(empty, good), /'wte\.weight' must be a non-empty matrix/);
  });

  it('building runs under the load budget (maxActivationBytes)', () => {
    assert.throws(
      () => gpt2FromTensors(w, { config: good, maxActivationBytes: -1 }),
      /maxActivationBytes must be >= 0/,
    );
    const gpt = gpt2FromTensors(w, { config: good, maxActivationBytes: 0 });
    assert.equal(size(gpt.weights), size([...w.values()]));
  });
});
