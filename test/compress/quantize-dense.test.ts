import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { roundHalfEven } from '../../src/backends/ts/kernels/quantized-matmul.js';
import { Dense } from '../../src/nn/layers/dense.js';
import {
  QuantizedDense,
  quantizeKernelInt8,
  quantizeUint8,
  uint8Params,
} from '../../src/nn/layers/quantized-dense.js';
import { quantizedMatMul, sum } from '../../src/ops/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomNormal } from '../../src/random/tensors.js';
import { tensor } from '../../src/tensor/create.js';
import { Variable } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

/** A float Dense and its QuantizedDense twin, both built for [*, fanIn]. */
function pair(fanIn: number, units: number, activation: 'linear' | 'relu' | 'gelu') {
  setSeed(7);
  const dense = new Dense(units, { activation, name: 'fc' });
  dense.build([null, fanIn]);
  dense.bias!.assign(randomNormal([units]));
  const q = new QuantizedDense(units, { activation, name: 'fc_q' });
  q.build([null, fanIn]);
  q.setFromFloat(dense.kernel!, dense.bias);
  return { dense, q };
}

describe('QuantizedDense', () => {
  it('parameters: PyTorch uint8 rule with 0 exact; kernel symmetric per channel', () => {
    assert.deepEqual(uint8Params(0, 0), { scale: 1, zeroPoint: 0 });
    const p = uint8Params(-1, 3);
    assert.equal(p.scale, Math.fround(4 / 255));
    assert.equal(p.zeroPoint, Math.round(1 / p.scale));
    assert.equal(uint8Params(2, 5).zeroPoint, 0); // widened to include 0
    const { q, scales } = quantizeKernelInt8(
      tensor([
        [1, -0.5, 0],
        [-2, 0.25, 0],
      ]),
    );
    assert.deepEqual([...scales], [Math.fround(2 / 127), Math.fround(0.5 / 127), 1]);
    assert.deepEqual([...q], [64, -127, 0, -127, 64, 0]); // 63.5 and 63.5 round to even
  });

  // Per output j, with x = sx·(q - z) + ex and w = sw[j]·wq + ew (|ex| ≤ sx/2, |ew| ≤ sw[j]/2):
  // x·w - x̂·ŵ = Σ_k ex_k·w_kj + x̂_k·ew_kj, so |y - ŷ| ≤ sx/2·Σ_k|w_kj| + sw[j]/2·Σ_k|x̂_k|
  // (one quantization step of each operand); relu is 1-Lipschitz, so the bound survives it.
  for (const activation of ['linear', 'relu'] as const) {
    it(`stays within one quantization step of float Dense per output (${activation})`, () => {
      const { dense, q } = pair(37, 11, activation);
      const x = randomNormal([5, 37], 0.5, 2);
      const y = dense.apply(x) as never as { data: Float32Array };
      const yq = q.apply(x) as never as { data: Float32Array };
      const { scale: sx, zeroPoint } = quantizeUint8(x);
      const xq = quantizeUint8(x).q.data;
      const w = dense.kernel!.data;
      const sw = q.kernelScale!.data;
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 11; j++) {
          let wAbs = 0;
          let xAbs = 0;
          for (let k = 0; k < 37; k++) {
            wAbs += Math.abs(w[k * 11 + j]!);
            xAbs += Math.abs(sx * (xq[i * 37 + k]! - zeroPoint));
          }
          const bound = (sx / 2) * wAbs + (sw[j]! / 2) * xAbs + 1e-4;
          const err = Math.abs(y.data[i * 11 + j]! - yq.data[i * 11 + j]!);
          assert.ok(err <= bound, `output [${i}, ${j}]: |error| ${err} > bound ${bound}`);
        }
    });
  }

  it('computes exactly the integer reference, then dequantizes in float', () => {
    const { q } = pair(19, 6, 'gelu');
    const x = randomNormal([2, 3, 19]); // rank 3: leading axes folded
    const yq = q.apply(x) as never as { data: Float32Array; shape: number[] };
    assert.deepEqual(yq.shape, [2, 3, 6]);
    const { q: xq, scale: sx, zeroPoint } = quantizeUint8(x);
    const acc = quantizedMatMul(xq, q.kernel!, { xZeroPoint: zeroPoint }).data;
    const w = q.kernel!.data;
    const b = q.bias!.data;
    const sw = q.kernelScale!.data;
    const gelu = (v: number) =>
      0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    const erfGelu = (v: number) => {
      // Abramowitz-Stegun erf, good to 1.5e-7
      const t = 1 / (1 + 0.3275911 * Math.abs(v / Math.SQRT2));
      const e =
        1 -
        ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t +
          0.254829592) *
          t *
          Math.exp(-((v / Math.SQRT2) ** 2));
      return 0.5 * v * (1 + Math.sign(v) * e);
    };
    for (let r = 0; r < 6; r++)
      for (let j = 0; j < 6; j++) {
        let ref = 0;
        for (let k = 0; k < 19; k++) ref += (xq.data[r * 19 + k]! - zeroPoint) * w[k * 6 + j]!;
        assert.equal(acc[r * 6 + j], ref, `accumulator [${r}, ${j}]`);
        const z = ref * sx * sw[j]! + b[j]!;
        const got = yq.data[r * 6 + j]!;
        const ok = [gelu(z), erfGelu(z)].some(
          (ref) => Math.abs(got - ref) <= 1e-4 * (1 + Math.abs(ref)),
        );
        assert.ok(ok, `[${r}, ${j}]: ${got} vs ${erfGelu(z)}`);
      }
  });

  it('quantizes the input per batch: the range of each call', () => {
    const a = quantizeUint8(tensor([[-1, 0.5, 3]]));
    assert.deepEqual([...a.q.data], [0, Math.round(0.5 / a.scale) + a.zeroPoint, 255]);
    const x = randomNormal([64, 33], 0.3, 1.7);
    const { q, scale, zeroPoint } = quantizeUint8(x);
    for (let i = 0; i < x.size; i++) {
      const ref = Math.min(
        255,
        Math.max(0, roundHalfEven(Math.fround(x.data[i]! / scale)) + zeroPoint),
      );
      assert.equal(q.data[i], ref, `element ${i}`);
    }
    assert.throws(
      () => quantizeUint8(tensor([[Number.NaN]]), "QuantizedDense 'fc'"),
      /QuantizedDense 'fc'.*NaN/,
    );
  });

  it('is inference only: not trainable, and a gradient through it names the layer', () => {
    const { q } = pair(4, 3, 'linear');
    assert.equal(q.trainable, false);
    assert.equal(q.trainableWeights.length, 0);
    assert.deepEqual(
      q.weights.map((w) => w.dtype),
      ['int8', 'float32', 'float32'],
    );
    const x = new Variable(randomNormal([2, 4]));
    const y = sum(q.apply(x) as never);
    assert.throws(
      () => grad(y, [x]),
      /QuantizedDense 'fc_q' \(int8, inference only\).*no gradient/,
    );
  });

  it('checks its input shape and config', () => {
    const { q } = pair(4, 3, 'relu');
    assert.throws(
      () => q.apply(randomNormal([2, 5])),
      /QuantizedDense 'fc_q': expected input \(None, \.\.\., 4\)/,
    );
    assert.throws(() => new QuantizedDense(0), /QuantizedDense: units must be a positive integer/);
    const copy = QuantizedDense.fromConfig(q.getConfig());
    assert.deepEqual(copy.getConfig(), q.getConfig());
  });
});
