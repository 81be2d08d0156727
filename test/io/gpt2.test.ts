import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gpt2FromTensors, loadGPT2 } from '../../src/io/gpt2.js';
import { decodeSafetensors, readSafetensors } from '../../src/io/safetensors-read.js';
import { generate } from '../../src/models/generate.js';
import { Rng } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';

const V = 17;
const P = 8;
const D = 8;
const H = 2;
const L = 2;

/** Random GPT-2 weights under Hugging Face's names, as plain arrays. */
function randomWeights(seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  const rng = new Rng(seed);
  const w = new Map<string, { shape: number[]; data: Float32Array }>();
  const add = (name: string, shape: number[], scale = 0.3, base = 0) =>
    w.set(name, {
      shape,
      data: Float32Array.from(
        { length: shape.reduce((a, b) => a * b, 1) },
        () => base + scale * rng.normal(),
      ),
    });
  add('wte.weight', [V, D]);
  add('wpe.weight', [P, D]);
  for (let i = 0; i < L; i++) {
    add(`h.${i}.ln_1.weight`, [D], 0.1, 1);
    add(`h.${i}.ln_1.bias`, [D], 0.1);
    add(`h.${i}.attn.c_attn.weight`, [D, 3 * D]);
    add(`h.${i}.attn.c_attn.bias`, [3 * D], 0.1);
    add(`h.${i}.attn.c_proj.weight`, [D, D]);
    add(`h.${i}.attn.c_proj.bias`, [D], 0.1);
    add(`h.${i}.ln_2.weight`, [D], 0.1, 1);
    add(`h.${i}.ln_2.bias`, [D], 0.1);
    add(`h.${i}.mlp.c_fc.weight`, [D, 4 * D]);
    add(`h.${i}.mlp.c_fc.bias`, [4 * D], 0.1);
    add(`h.${i}.mlp.c_proj.weight`, [4 * D, D]);
    add(`h.${i}.mlp.c_proj.bias`, [D], 0.1);
  }
  add('ln_f.weight', [D], 0.1, 1);
  add('ln_f.bias', [D], 0.1);
  return w;
}

/** A safetensors file written byte by byte: u64 LE header length, JSON header, raw data. */
function safetensorsBytes(
  entries: [string, { shape: number[]; data: Uint8Array; dtype: string }][],
): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, e] of entries) {
    header[name] = {
      dtype: e.dtype,
      shape: e.shape,
      data_offsets: [offset, offset + e.data.byteLength],
    };
    offset += e.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const [, e] of entries) {
    out.set(e.data, at);
    at += e.data.byteLength;
  }
  return out;
}

function f32Entries(w: Map<string, { shape: number[]; data: Float32Array }>) {
  return [...w].map(
    ([n, e]) =>
      [n, { shape: e.shape, dtype: 'F32', data: new Uint8Array(e.data.buffer) }] as [
        string,
        { shape: number[]; data: Uint8Array; dtype: string },
      ],
  );
}

/** GPT-2's forward pass in plain float64 loops, straight from the raw arrays. */
function referenceLogits(
  w: Map<string, { shape: number[]; data: Float32Array }>,
  ids: number[],
): number[][] {
  const get = (n: string) => w.get(n)!.data;
  const matvec = (x: number[], W: Float32Array, cols: number, b: Float32Array) =>
    Array.from({ length: cols }, (_, j) =>
      x.reduce((s, xi, i) => s + xi * W[i * cols + j]!, b[j]!),
    );
  const ln = (x: number[], g: Float32Array, b: Float32Array) => {
    const m = x.reduce((a, c) => a + c, 0) / x.length;
    const v = x.reduce((a, c) => a + (c - m) ** 2, 0) / x.length;
    return x.map((c, i) => ((c - m) / Math.sqrt(v + 1e-5)) * g[i]! + b[i]!);
  };
  const gelu = (x: number) =>
    0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  let h = ids.map((id, t) =>
    Array.from(
      { length: D },
      (_, d) => get('wte.weight')[id * D + d]! + get('wpe.weight')[t * D + d]!,
    ),
  );
  const K = D / H;
  for (let l = 0; l < L; l++) {
    const p = `h.${l}.`;
    const qkv = h.map((x) =>
      matvec(
        ln(x, get(`${p}ln_1.weight`), get(`${p}ln_1.bias`)),
        get(`${p}attn.c_attn.weight`),
        3 * D,
        get(`${p}attn.c_attn.bias`),
      ),
    );
    const merged = h.map((_, t) => {
      const out: number[] = [];
      for (let hd = 0; hd < H; hd++) {
        const q = qkv[t]!.slice(hd * K, hd * K + K);
        const scores = qkv
          .slice(0, t + 1)
          .map(
            (r) =>
              r.slice(D + hd * K, D + hd * K + K).reduce((s, k, i) => s + k * q[i]!, 0) /
              Math.sqrt(K),
          );
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let c = 0; c < K; c++)
          out.push(e.reduce((s, wt, j) => s + (wt / z) * qkv[j]![2 * D + hd * K + c]!, 0));
      }
      return out;
    });
    h = h.map((x, t) =>
      matvec(merged[t]!, get(`${p}attn.c_proj.weight`), D, get(`${p}attn.c_proj.bias`)).map(
        (a, i) => a + x[i]!,
      ),
    );
    h = h.map((x) => {
      const f = matvec(
        ln(x, get(`${p}ln_2.weight`), get(`${p}ln_2.bias`)),
        get(`${p}mlp.c_fc.weight`),
        4 * D,
        get(`${p}mlp.c_fc.bias`),
      ).map(gelu);
      return matvec(f, get(`${p}mlp.c_proj.weight`), D, get(`${p}mlp.c_proj.bias`)).map(
        (a, i) => a + x[i]!,
      );
    });
  }
  return h.map((x) => {
    const y = ln(x, get('ln_f.weight'), get('ln_f.bias'));
    return Array.from({ length: V }, (_, v) =>
      y.reduce((s, yi, d) => s + yi * get('wte.weight')[v * D + d]!, 0),
    );
  });
}

describe('GPT-2 weights from safetensors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-gpt2-'));
  const weights = randomWeights(1);

  it('loads a tiny GPT-2 whose logits match an independent reference', () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, safetensorsBytes(f32Entries(weights)));
    const gpt = loadGPT2(path, { numHeads: H });
    assert.equal(gpt.blocks.length, L);
    const ids = [3, 16, 0, 7, 7, 2];
    const logits = gpt.apply(tensor([ids], [1, ids.length], 'int32'));
    expectClose(logits, [referenceLogits(weights, ids)], { atol: 2e-4, rtol: 1e-4 });
    // Cached greedy decoding agrees with recomputation on the loaded model too.
    const a = generate(gpt, [ids.slice(0, 2)], { maxNewTokens: 5, temperature: 0 });
    assert.deepEqual(
      a,
      generate(gpt, [ids.slice(0, 2)], { maxNewTokens: 5, temperature: 0, useCache: false }),
    );
  });

  it('widens F16 and BF16 tensors to float32', () => {
    // 1.5 in F16 is 0x3E00; -2 in BF16 is 0xC000.
    const bytes = safetensorsBytes([
      ['a', { dtype: 'F16', shape: [2], data: new Uint8Array([0x00, 0x3e, 0x01, 0x00]) }],
      ['b', { dtype: 'BF16', shape: [1], data: new Uint8Array([0x00, 0xc0]) }],
    ]);
    const { tensors } = decodeSafetensors(bytes, 'half', { widenFloats: true });
    expectClose(tensors.get('a')!, [1.5, 2 ** -24], { atol: 0, rtol: 1e-7 });
    expectClose(tensors.get('b')!, [-2]);
    assert.throws(() => decodeSafetensors(bytes, 'half'), /tensor 'a': unsupported dtype "F16"/);
  });

  it('names the missing or mis-shaped tensor', () => {
    const missing = new Map(
      [...weights]
        .filter(([n]) => n !== 'h.1.mlp.c_fc.bias')
        .map(([n, e]) => [n, tensor(e.data, e.shape)] as [string, Tensor]),
    );
    assert.throws(
      () => gpt2FromTensors(missing, { numHeads: H }),
      /missing tensor 'h\.1\.mlp\.c_fc\.bias'/,
    );
    const bad = new Map(
      [...weights].map(([n, e]) => [n, tensor(e.data, e.shape)] as [string, Tensor]),
    );
    bad.set('h.0.attn.c_attn.weight', tensor(new Float32Array(3 * D * D), [3 * D, D]));
    assert.throws(
      () => gpt2FromTensors(bad, { numHeads: H }),
      /tensor 'h\.0\.attn\.c_attn\.weight' has shape \[24, 8\], expected \[8, 24\]/,
    );
    assert.throws(
      () => gpt2FromTensors(bad, { numHeads: 3 }),
      /numHeads=3 must be a positive integer dividing the width 8/,
    );
  });

  it('rejects corrupt files with clear errors', () => {
    const good = safetensorsBytes(f32Entries(new Map([...weights].slice(0, 2))));
    const longHeader = good.slice();
    new DataView(longHeader.buffer).setBigUint64(0, BigInt(good.byteLength), true);
    assert.throws(
      () => decodeSafetensors(longHeader, 'f'),
      /header length \d+ runs past the end of the file/,
    );
    const entry = (shape: number[], offsets: [number, number]) => ({
      dtype: 'F32',
      shape,
      data_offsets: offsets,
    });
    const withHeader = (header: object, dataBytes: number) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.byteLength + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
      out.set(json, 8);
      return out;
    };
    assert.throws(
      () => decodeSafetensors(withHeader({ x: entry([2], [0, 8]) }, 4), 'f'),
      /tensor 'x': data_offsets \[0, 8\] fall outside the data/,
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ x: entry([3], [0, 8]) }, 8), 'f'),
      /tensor 'x': shape \[3\] of float32 needs 12 bytes, data_offsets span 8/,
    );
    assert.throws(
      () =>
        decodeSafetensors(withHeader({ x: entry([2], [0, 8]), y: entry([2], [4, 12]) }, 12), 'f'),
      /tensors 'x' and 'y' overlap/,
    );
    const path = join(dir, 'round-trip.safetensors');
    writeFileSync(path, good);
    assert.deepEqual([...readSafetensors(path).tensors.keys()], ['wte.weight', 'wpe.weight']);
  });
});
