import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { quantize, WeightOnlyGPT } from '../../src/compress/index.js';
import { floatMatMul, floatMatrix } from '../../src/compress/weight-only/float-matmul.js';
import { loadModel } from '../../src/io/index.js';
import { generate } from '../../src/models/generate.js';
import { GPT } from '../../src/models/gpt.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { forEachConfig, skip } from '../backends/native/native-helpers.js';
import '../../src/backends/index.js';

// The float GPT on the fused decoding loop (quantize(gpt, {mode: 'weight-only', bits: 32})):
// the baseline the int8/int4 decoders are compared against (issue 12).

const uniform = (n: number, rng: Rng) =>
  Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);

describe('floatMatMul', () => {
  // [M, K, N]: odd sizes, and one large enough for several threads.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 37, 17],
    [3, 130, 45],
    [7, 33, 129],
    [9, 300, 530],
  ];
  it('the TypeScript loop equals a float64 product within float32 rounding', () => {
    const rng = new Rng(1);
    for (const [M, K, N] of shapes) {
      const x = uniform(M * K, rng);
      const w = uniform(K * N, rng);
      const b = uniform(N, rng);
      const y = new Float32Array(M * N);
      floatMatMul(x, M, floatMatrix(w, K, N, b), y, false);
      for (let r = 0; r < M; r++)
        for (let j = 0; j < N; j++) {
          let s = b[j]!;
          for (let k = 0; k < K; k++) s += x[r * K + k]! * w[k * N + j]!;
          assert.ok(Math.abs(y[r * N + j]! - s) < 1e-5 * Math.sqrt(K), `[${M},${K},${N}]`);
        }
    }
  });

  it('native equals the TypeScript loop on every ISA and 1/2/3 threads', { skip }, () => {
    const rng = new Rng(2);
    for (const [M, K, N] of shapes) {
      const x = uniform(M * K, rng);
      const m = floatMatrix(uniform(K * N, rng), K, N, N % 2 ? uniform(N, rng) : null);
      const ref = new Float32Array(M * N);
      floatMatMul(x, M, m, ref, false);
      forEachConfig((isa, threads) => {
        const y = new Float32Array(M * N).fill(Number.NaN);
        floatMatMul(x, M, m, y);
        for (let i = 0; i < y.length; i++)
          assert.ok(
            Math.abs(y[i]! - ref[i]!) < 1e-5 * Math.sqrt(K),
            `[${M},${K},${N}] ${isa} ${threads} threads: ${y[i]} vs ${ref[i]}`,
          );
      });
    }
  });

  it('rejects operands of the wrong size', () => {
    assert.throws(
      () =>
        floatMatMul(
          new Float32Array(5),
          1,
          floatMatrix(new Float32Array(12), 4, 3),
          new Float32Array(3),
        ),
      /floatMatMul: expected x \[1, 4\] and y \[1, 3\], got 5 and 3 elements/,
    );
    assert.throws(
      () => floatMatrix(new Float32Array(11), 4, 3),
      /floatMatrix: expected kernel \[4, 3\]/,
    );
  });
});

describe('quantize(gpt, {mode: weight-only, bits: 32})', () => {
  setSeed(7);
  // Odd sizes: vocabulary 23, hidden 24 with 3 heads, intermediate 40.
  const gpt = new GPT({
    vocabularySize: 23,
    sequenceLength: 16,
    numLayers: 2,
    numHeads: 3,
    hiddenDim: 24,
    intermediateDim: 40,
    dropout: 0,
  });
  const ids = tensor(
    Int32Array.from({ length: 3 * 11 }, (_, i) => (i * 5 + 2) % 23),
    [3, 11],
    'int32',
  );
  const floatLogits = gpt.apply(ids) as Tensor;
  const fused = quantize(gpt, { mode: 'weight-only', bits: 32 }) as WeightOnlyGPT;

  it("gives the ordinary path's logits within 1e-5, and cached decoding gives the full pass", () => {
    assert.ok(fused instanceof WeightOnlyGPT);
    assert.equal(fused.bits, 32);
    const logits = fused.apply(ids) as Tensor;
    assert.deepEqual(logits.shape, [3, 11, 23]);
    let d = 0;
    for (let i = 0; i < logits.size; i++)
      d = Math.max(d, Math.abs(logits.data[i]! - floatLogits.data[i]!));
    assert.ok(d < 1e-5, `max |fused - ordinary| = ${d}`);
    let caches = null as Parameters<WeightOnlyGPT['callWithCache']>[1];
    let dc = 0;
    for (let t = 0; t < 11; t++) {
      const step = tensor(
        Int32Array.from([0, 1, 2], (b) => ids.data[b * 11 + t]!),
        [3, 1],
        'int32',
      );
      const r = fused.callWithCache(step, caches);
      caches = r.caches;
      for (let b = 0; b < 3; b++)
        for (let v = 0; v < 23; v++)
          dc = Math.max(
            dc,
            Math.abs(r.logits.data[b * 23 + v]! - logits.data[(b * 11 + t) * 23 + v]!),
          );
    }
    assert.ok(dc < 1e-5, `max |cached - full| = ${dc}`);
  });

  it('decodes greedily like the float GPT, with and without the cache', () => {
    const a = generate(fused, [[4, 9]], { maxNewTokens: 20, temperature: 0 });
    const b = generate(gpt, [[4, 9]], { maxNewTokens: 20, temperature: 0 });
    const c = generate(fused, [[4, 9]], { maxNewTokens: 20, temperature: 0, useCache: false });
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
  });

  it('saves and loads with the same logits, and says nothing was quantized', () => {
    const path = join(tmpdir(), `keel-wo-fused-${process.pid}.keel`);
    fused.save(path, { inputShapes: [[null, 16]] });
    const back = loadModel(path) as WeightOnlyGPT;
    assert.ok(back instanceof WeightOnlyGPT);
    assert.equal(back.bits, 32);
    const x = back.apply(ids) as Tensor;
    const y = fused.apply(ids) as Tensor;
    for (let i = 0; i < x.size; i++) assert.equal(x.data[i], y.data[i]);
    const s = back.quantizationSummary();
    assert.deepEqual(s.quantized, []);
    assert.equal(s.float[0]!.name, 'every matrix');
  });

  it('rejects bits it does not know, naming the layer', () => {
    assert.throws(
      () => new WeightOnlyGPT({ gpt: gpt.config, bits: 16 as 32, groupSize: 32, name: 'w' }),
      /'w'.*bits must be 8, 4 or 32, got 16/,
    );
  });
});
