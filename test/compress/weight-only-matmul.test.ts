import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { weightOnlyMatMul } from '../../src/compress/weight-only/matmul.js';
import { quantizeWeightOnly, type WeightOnlyBits } from '../../src/compress/weight-only/pack.js';
import { weightOnlyMatMulReference } from '../../src/compress/weight-only/reference.js';
import { Rng } from '../../src/random/rng.js';
import { forEachConfig, native, skip } from '../backends/native/native-helpers.js';

const uniform = (n: number, rng: Rng, scale = 1) =>
  Float32Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));

// [M, K, N, groupSize]: K not a multiple of 4, 8 or the group, N not a multiple of 16.
const shapes: [number, number, number, number][] = [
  [1, 1, 1, 32],
  [1, 37, 17, 32],
  [3, 130, 45, 64],
  [2, 200, 33, 128],
  [1, 128, 384, 32],
  [9, 300, 530, 64], // enough work for two threads
];

function product(x: Float32Array, w: Float32Array, M: number, K: number, N: number) {
  const y = new Float64Array(M * N);
  for (let r = 0; r < M; r++)
    for (let k = 0; k < K; k++)
      for (let j = 0; j < N; j++) y[r * N + j]! += x[r * K + k]! * w[k * N + j]!;
  return y;
}

describe('weightOnlyMatMul reference', () => {
  for (const bits of [8, 4] as WeightOnlyBits[])
    it(`int${bits} approximates the float product`, () => {
      const rng = new Rng(bits);
      const [M, K, N] = [3, 130, 45];
      const x = uniform(M * K, rng);
      const w = uniform(K * N, rng, 0.1);
      const bias = uniform(N, rng);
      const q = quantizeWeightOnly(w, K, N, bits, 32, bias);
      const y = new Float32Array(M * N);
      weightOnlyMatMulReference(x, M, q, y);
      const exact = product(x, w, M, K, N);
      let err = 0;
      let norm = 0;
      for (let i = 0; i < y.length; i++) {
        err += (y[i]! - bias[i % N]! - exact[i]!) ** 2;
        norm += exact[i]! ** 2;
      }
      // Relative RMS error: int8 weights and activations about 1%, int4 weights about 10%.
      const rel = Math.sqrt(err / norm);
      assert.ok(rel < (bits === 8 ? 0.02 : 0.15), `relative error ${rel}`);
      assert.ok(rel > 1e-4, 'the quantization must change something');
    });

  it('int4 codes stay in [-7, 7] with one scale per group, int8 in [-127, 127]', () => {
    const rng = new Rng(3);
    const w = uniform(70 * 5, rng);
    const q4 = quantizeWeightOnly(w, 70, 5, 4, 32);
    assert.equal(q4.scales.length, 5 * 3);
    assert.ok(
      q4.codes.every((c) => c >= -7 && c <= 7) && q4.codes.some((c) => c === 7 || c === -7),
    );
    const q8 = quantizeWeightOnly(w, 70, 5, 8, 32);
    assert.equal(q8.scales.length, 5);
    assert.ok(q8.codes.some((c) => Math.abs(c) === 127));
  });
});

describe('weightOnlyMatMul native', { skip }, () => {
  it('reports its path on each ISA', () => {
    forEachConfig(() => {
      const path = (native as unknown as { weightOnlyPath(): string }).weightOnlyPath();
      assert.ok(['avx512vnni', 'avxvnni', 'avx2', 'portable'].includes(path), path);
    }, [1]);
  });

  for (const bits of [8, 4] as WeightOnlyBits[])
    it(`int${bits} equals the reference on odd shapes, every ISA, 1 and 2 threads`, () => {
      for (const [M, K, N, G] of shapes) {
        const rng = new Rng(M * 1000 + K + N + bits);
        const x = uniform(M * K, rng);
        const q = quantizeWeightOnly(uniform(K * N, rng, 0.2), K, N, bits, G, uniform(N, rng));
        const want = new Float32Array(M * N);
        weightOnlyMatMulReference(x, M, q, want);
        forEachConfig(
          (isa, threads) => {
            const got = new Float32Array(M * N).fill(Number.NaN);
            weightOnlyMatMul(x, M, q, got);
            for (let i = 0; i < got.length; i++) {
              // Integer sums are exact; the float epilogue may differ by an ulp (fused multiply-add).
              const tol = 1e-5 * (1 + Math.abs(want[i]!));
              assert.ok(
                Math.abs(got[i]! - want[i]!) <= tol,
                `${isa} ${threads} threads [${M}, ${K}, ${N}] g${G} at ${i}: ${got[i]} vs ${want[i]}`,
              );
            }
          },
          [1, 2],
        );
      }
    });

  for (const bits of [8, 4] as WeightOnlyBits[])
    it(`int${bits} integer sums are exact (unit scales give integer outputs)`, () => {
      // Rows with max |x| = 127 and integer x quantize to themselves (scale 1); integer weights
      // with a ±qmax in every group have scale 1: y is the exact integer product.
      const [M, K, N, G] = [2, 203, 35, 32];
      const qmax = bits === 8 ? 127 : 7;
      const rng = new Rng(bits + 77);
      const x = Float32Array.from({ length: M * K }, (_, i) =>
        i % K === 0 ? 127 : rng.int(255) - 127,
      );
      const w = Float32Array.from({ length: K * N }, (_, i) =>
        Math.floor(i / N) % G === 0 ? qmax : rng.int(2 * qmax + 1) - qmax,
      );
      const q = quantizeWeightOnly(w, K, N, bits, G);
      const exact = product(x, w, M, K, N);
      forEachConfig(
        (isa, threads) => {
          const got = new Float32Array(M * N);
          weightOnlyMatMul(x, M, q, got);
          for (let i = 0; i < got.length; i++)
            assert.equal(got[i], exact[i], `${isa} ${threads} threads at ${i}`);
        },
        [1, 2],
      );
    });

  it('rejects arrays of the wrong size before the kernel runs', () => {
    const q = quantizeWeightOnly(new Float32Array(40 * 3), 40, 3, 4, 32);
    assert.throws(
      () => weightOnlyMatMul(new Float32Array(39), 1, q, new Float32Array(3)),
      /weightOnlyMatMul: expected x \[1, 40\] and y \[1, 3\]/,
    );
    const n = native as unknown as { weightOnlyMatMul: (...a: unknown[]) => void };
    assert.throws(
      () =>
        n.weightOnlyMatMul(
          new Float32Array(40),
          q.packed.subarray(1),
          q.packedScales,
          q.colsum,
          null,
          new Float32Array(3),
          1,
          40,
          3,
          4,
          32,
        ),
      /w has \d+ elements, expected/,
    );
    assert.throws(
      () =>
        n.weightOnlyMatMul(
          new Float32Array(40),
          q.packed,
          q.packedScales,
          q.colsum,
          null,
          new Float32Array(3),
          1,
          40,
          3,
          4,
          12,
        ),
      /groupSize must be a multiple of 8/,
    );
  });
});
