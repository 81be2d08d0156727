import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gptDecodeStepBinding } from '../../src/backends/native/kernels/gpt-decode-step.js';
import { getBackend } from '../../src/backends/registry.js';
import { quantize, type WeightOnlyGPT } from '../../src/compress/index.js';
import { generate } from '../../src/models/generate.js';
import { GPT, type GPTArgs } from '../../src/models/gpt.js';
import {
  floatStepWeights,
  GptNativeDecoder,
  gptDecodeStep,
  nativeStepSupports,
} from '../../src/models/gpt-decode-step.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { forEachConfig, skip } from '../backends/native/native-helpers.js';
import '../../src/backends/index.js';

// The native GPT decoding step (native/woq/decode.cc, issue 12): the whole decoder stack in one
// call, checked against the TypeScript fused loop (WeightOnlyGPT decodePath 'loop') and, for
// float weights, against the layer-by-layer GPT, on every ISA and 1 or 2 threads.

// Odd sizes: heads, widths and vocabularies that are not multiples of 16; the last one is large
// enough (ffn 96 x 2800) for the products to take the thread pool.
const CONFIGS: GPTArgs[] = [
  { vocabularySize: 37, sequenceLength: 11, numLayers: 2, numHeads: 3, hiddenDim: 21 },
  {
    vocabularySize: 53,
    sequenceLength: 9,
    numLayers: 1,
    numHeads: 5,
    hiddenDim: 45,
    intermediateDim: 70,
    activation: 'relu',
  },
  {
    vocabularySize: 29,
    sequenceLength: 10,
    numLayers: 1,
    numHeads: 3,
    hiddenDim: 96,
    intermediateDim: 2800,
  },
];

/** A GPT of this configuration with random weights (not the small initial ones). */
function randomGpt(args: GPTArgs, seed: number): GPT {
  setSeed(seed);
  const gpt = new GPT({ ...args, dropout: 0 });
  const rng = new Rng(seed);
  for (const w of gpt.weights) {
    const d = w.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = (2 * rng.uniform() - 1) * 0.3;
  }
  return gpt;
}

/** Prefill B = 2 rows of 3 tokens, 2 single-token steps, then the same with B = 1: the logits. */
function decodeCalls(
  call: (ids: Tensor, caches: unknown) => { logits: Tensor; caches: unknown },
  V: number,
): Float32Array[] {
  const rng = new Rng(7);
  const ids = (n: number) => Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * V));
  const out: Float32Array[] = [];
  let r = call(tensor(ids(6), [2, 3], 'int32'), null);
  out.push(r.logits.data as Float32Array);
  for (let s = 0; s < 2; s++) {
    r = call(tensor(ids(2), [2, 1], 'int32'), r.caches);
    out.push(r.logits.data as Float32Array);
  }
  // One row (batch 1, the decoding case: products of one row have their own threaded path).
  r = call(tensor(ids(2), [1, 2], 'int32'), null);
  out.push(r.logits.data as Float32Array);
  for (let s = 0; s < 2; s++) {
    r = call(tensor(ids(1), [1, 1], 'int32'), r.caches);
    out.push(r.logits.data as Float32Array);
  }
  return out;
}

/**
 * Every logit within tol (relative, plus tol absolute); and at least `share` of them within
 * `tight` (a quantized decoder may move an activation's int8 code by one where the two sides'
 * float rounding differs at a half, which shifts the logits after it by about one code step).
 */
function assertClose(
  got: Float32Array[],
  want: Float32Array[],
  tol: number,
  what: string,
  tight = tol,
  share = 1,
): void {
  let total = 0;
  let close = 0;
  for (const [c, w] of want.entries())
    for (let i = 0; i < w.length; i++) {
      const err = Math.abs(got[c]![i]! - w[i]!) / (1 + Math.abs(w[i]!));
      assert.ok(err <= tol, `${what}: call ${c} logit ${i}: ${got[c]![i]} vs ${w[i]}`);
      total++;
      if (err <= tight) close++;
    }
  assert.ok(close >= share * total, `${what}: ${close} of ${total} logits within ${tight}`);
}

describe('gptDecodeStep (native)', { skip }, () => {
  it('float weights: equals the layer-by-layer GPT and the TypeScript loop', () => {
    for (const [n, args] of CONFIGS.entries()) {
      const gpt = randomGpt(args, n + 1);
      assert.ok(nativeStepSupports(gpt));
      const V = args.vocabularySize;
      const layers = decodeCalls((ids, c) => gpt.callWithCache(ids, c as never) as never, V);
      const fused = quantize(gpt, { mode: 'weight-only', bits: 32 }) as WeightOnlyGPT;
      fused.decodePath = 'loop';
      const loop = decodeCalls((ids, c) => fused.callWithCache(ids, c as never), V);
      fused.decodePath = 'native';
      const decoder = new GptNativeDecoder(gpt);
      forEachConfig(
        (isa, threads) => {
          const what = `config ${n} ${isa} ${threads} threads`;
          const native = decodeCalls((ids, c) => decoder.callWithCache(ids, c as never), V);
          assertClose(native, layers, 2e-5, `${what} vs layers`);
          assertClose(native, loop, 2e-5, `${what} vs loop`);
          const viaQuantize = decodeCalls((ids, c) => fused.callWithCache(ids, c as never), V);
          assertClose(viaQuantize, loop, 2e-5, `${what} bits 32 vs loop`);
        },
        [1, 2],
      );
    }
  });

  for (const bits of [8, 4] as const)
    it(`int${bits} weights: equals the TypeScript loop on every ISA`, () => {
      for (const [n, args] of CONFIGS.entries()) {
        const gpt = randomGpt(args, 10 + n);
        const q = quantize(gpt, { mode: 'weight-only', bits }) as WeightOnlyGPT;
        q.decodePath = 'loop';
        const V = args.vocabularySize;
        const loop = decodeCalls((ids, c) => q.callWithCache(ids, c as never), V);
        q.decodePath = 'native';
        forEachConfig(
          (isa, threads) => {
            const native = decodeCalls((ids, c) => q.callWithCache(ids, c as never), V);
            // Same integer products and scales; the float parts (layer norm, GELU, attention)
            // agree to a few ulp, which now and then moves an activation's int8 code by one.
            const what = `int${bits} config ${n} ${isa} ${threads} threads`;
            assertClose(native, loop, 3e-3, what, 2e-5, 0.9);
          },
          [1, 2],
        );
      }
    });

  it('generate(gpt) takes the native step and matches decoder "layers"', {
    skip: getBackend() === 'native' ? false : 'the native backend is not the active one',
  }, () => {
    const args = CONFIGS[0]!;
    const gpt = randomGpt(args, 21);
    for (const temperature of [0, 0.9]) {
      const o = { maxNewTokens: 9, temperature, seed: 5 };
      // Count the native steps: 9 with 'auto', none with 'layers'.
      const binding = gptDecodeStepBinding()!;
      const step = binding.gptDecodeStep;
      let calls = 0;
      binding.gptDecodeStep = (...a) => {
        calls++;
        step.apply(binding, a);
      };
      let fast: number[][];
      let slow: number[][];
      try {
        fast = generate(
          gpt,
          [
            [1, 2],
            [3, 4],
          ],
          o,
        );
        assert.equal(calls, 9);
        slow = generate(
          gpt,
          [
            [1, 2],
            [3, 4],
          ],
          { ...o, decoder: 'layers' },
        );
        assert.equal(calls, 9);
      } finally {
        binding.gptDecodeStep = step;
      }
      assert.deepEqual(fast, slow);
      // Past the context (11): the crop path recomputes the last 11 tokens each step.
      const long = { maxNewTokens: 14, temperature, seed: 6 };
      assert.deepEqual(
        generate(gpt, [[5]], long),
        generate(gpt, [[5]], { ...long, decoder: 'layers' }),
      );
    }
    assert.throws(
      () => generate(gpt, [[1]], { maxNewTokens: 1, decoder: 'fast' as never }),
      /decoder must be 'auto' or 'layers'/,
    );
  });

  it('rejects bad tokens, stale caches and positions past the context', () => {
    const gpt = randomGpt(CONFIGS[0]!, 3);
    const d = new GptNativeDecoder(gpt);
    assert.throws(
      () => d.callWithCache(tensor(Int32Array.from([37]), [1, 1], 'int32'), null),
      /token id 37 is not an integer in \[0, 37\)/,
    );
    const first = d.callWithCache(tensor(Int32Array.from([1, 2]), [1, 2], 'int32'), null);
    d.callWithCache(tensor(Int32Array.from([3]), [1, 1], 'int32'), first.caches);
    assert.throws(
      () => d.callWithCache(tensor(Int32Array.from([3]), [1, 1], 'int32'), first.caches),
      /stale cache/,
    );
    assert.throws(
      () => d.callWithCache(tensor(new Int32Array(12), [1, 12], 'int32'), null),
      /exceed the context \(sequenceLength=11\)/,
    );
    assert.throws(
      () => d.callWithCache(tensor(Int32Array.from([1, 2]), [2, 1], 'int32'), first.caches),
      /do not come from a call with 2 rows/,
    );
    const w = floatStepWeights(gpt);
    assert.throws(
      () =>
        gptDecodeStep(
          'test',
          { ...w, floats: w.floats.subarray(1) },
          tensor(Int32Array.from([1]), [1, 1], 'int32'),
          null,
        ),
      /the weights hold \d+ floats, the layout needs/,
    );
  });

  it('the native entry point checks every array against the layout itself', () => {
    const native = gptDecodeStepBinding()!;
    const gpt = randomGpt(CONFIGS[0]!, 4);
    const w = floatStepWeights(gpt);
    const c = w.config;
    const config = Float64Array.of(37, 11, 2, 3, 21, c.intermediateDim, 32, 0, 0, 1e-5);
    const kv = new Float32Array(2 * 2 * 11 * 21);
    const call = (over: Partial<Record<string, unknown>>) => {
      const a = {
        config,
        floats: w.floats,
        tokens: Int32Array.of(1),
        kv,
        logits: new Float32Array(37),
        past: 0,
        ...over,
      };
      native.gptDecodeStep(
        a.config as Float64Array,
        a.floats as Float32Array,
        w.bytes,
        w.scales,
        w.colsum,
        a.kv as Float32Array,
        a.tokens as Int32Array,
        1,
        1,
        a.past as number,
        a.logits as Float32Array,
      );
    };
    call({});
    assert.throws(
      () => call({ floats: w.floats.subarray(2) }),
      /floats has \d+ elements, expected/,
    );
    assert.throws(() => call({ kv: kv.subarray(1) }), /kv has/);
    assert.throws(() => call({ logits: new Float32Array(36) }), /logits has 36 elements/);
    assert.throws(() => call({ tokens: Int32Array.of(-1) }), /token id -1 is not in \[0, V\)/);
    assert.throws(() => call({ past: 11 }), /exceed the context/);
    const bad = Float64Array.from(config);
    bad[3] = 4; // 21 is not divisible by 4 heads
    assert.throws(() => call({ config: bad }), /divisible by numHeads/);
    const bits = Float64Array.from(config);
    bits[6] = 16;
    assert.throws(() => call({ config: bits }), /bits must be 32, 8 or 4/);
    assert.throws(() => call({ floats: new Float64Array(w.floats.length) }), /Float32Array/);
  });
});
