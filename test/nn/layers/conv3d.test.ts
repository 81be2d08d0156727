import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel } from '../../../src/io/keel-format/model-file.js';
import { Sequential } from '../../../src/models/sequential.js';
import { AveragePooling3D } from '../../../src/nn/layers/average-pooling3d.js';
import { Conv3D } from '../../../src/nn/layers/conv3d.js';
import { GlobalAveragePooling3D } from '../../../src/nn/layers/global-average-pooling3d.js';
import { GlobalMaxPooling3D } from '../../../src/nn/layers/global-max-pooling3d.js';
import { MaxPooling3D } from '../../../src/nn/layers/max-pooling3d.js';
import { conv3d } from '../../../src/ops/index.js';
import { Rng } from '../../../src/random/rng.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';
import '../../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-conv3d-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const fx = JSON.parse(readFileSync(new URL('./fixtures/conv3d.json', import.meta.url), 'utf8')) as {
  conv: {
    x: number[];
    kernel: number[];
    strides: number[];
    padding: 'valid' | 'same';
    dilation: number[];
    outShape: number[];
    y: number[];
  }[];
  pool: {
    kind: 'max' | 'avg';
    x: number[];
    poolSize: number[];
    strides: number[];
    padding: 'valid' | 'same';
    outShape: number[];
    y: number[];
  }[];
};

const seq = (shape: number[], f: (i: number) => number): Tensor =>
  tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
    shape,
  );

/** Direct 6-deep loop, float64, valid padding on an already padded input. */
function naiveConv3d(x: Tensor, k: Tensor, s: number[], d: number[]): number[] {
  const [B, D, H, W, C] = x.shape as number[];
  const [KD, KH, KW, , F] = k.shape as number[];
  const span = (n: number, i: number) =>
    Math.floor((n - ((k.shape[i]! - 1) * d[i]! + 1)) / s[i]!) + 1;
  const [OD, OH, OW] = [span(D!, 0), span(H!, 1), span(W!, 2)];
  const out: number[] = [];
  for (let b = 0; b < B!; b++)
    for (let od = 0; od < OD; od++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++)
          for (let f = 0; f < F!; f++) {
            let acc = 0;
            for (let i = 0; i < KD!; i++)
              for (let j = 0; j < KH!; j++)
                for (let l = 0; l < KW!; l++)
                  for (let c = 0; c < C!; c++) {
                    const xi =
                      ((((b * D! + od * s[0]! + i * d[0]!) * H! + oh * s[1]! + j * d[1]!) * W! +
                        ow * s[2]! +
                        l * d[2]!) *
                        C! +
                        c) |
                      0;
                    acc += x.data[xi]! * k.data[(((i * KH! + j) * KW! + l) * C! + c) * F! + f]!;
                  }
            out.push(acc);
          }
  return out;
}

describe('Conv3D and the 3-D pooling layers', () => {
  it('match PyTorch on the committed reference', () => {
    for (const c of fx.conv) {
      const layer = new Conv3D(c.kernel[4]!, c.kernel.slice(0, 3), {
        strides: c.strides,
        padding: c.padding,
        dilationRate: c.dilation,
      });
      const x = seq(c.x, (i) => Math.sin(0.37 * i));
      layer.apply(x);
      layer.setWeights([
        seq(c.kernel, (i) => 0.5 * Math.cos(0.21 * i)),
        seq([c.kernel[4]!], (i) => 0.1 * i),
      ]);
      expectClose(layer.apply(x), tensor(c.y, c.outShape), { atol: 1e-4 });
    }
    for (const p of fx.pool) {
      const Cls = p.kind === 'max' ? MaxPooling3D : AveragePooling3D;
      const layer = new Cls(p.poolSize, { strides: p.strides, padding: p.padding });
      const x = seq(p.x, (i) => Math.sin(0.37 * i));
      expectClose(layer.apply(x), tensor(p.y, p.outShape), { atol: 1e-5 });
    }
  });

  it('ops.conv3d equals a direct loop on random odd shapes', () => {
    const rng = new Rng(7);
    for (let t = 0; t < 6; t++) {
      const pick = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
      const k = [pick(1, 3), pick(1, 3), pick(1, 3)];
      const dil = t % 3 === 2 ? [pick(1, 2), 1, pick(1, 2)] : [1, 1, 1];
      const s = t % 3 === 2 ? [1, 1, 1] : [pick(1, 2), pick(1, 3), pick(1, 2)];
      const x = rand([pick(1, 2), pick(5, 7), pick(5, 7), pick(5, 6), pick(1, 3)], 100 + t);
      const w = rand([...k, x.shape[4]!, pick(1, 4)], 200 + t);
      const y = conv3d(x, w, { strides: s as never, dilationRate: dil as never });
      expectClose(y.data, naiveConv3d(x, w, s, dil), { atol: 1e-4 });
    }
  });

  it('pass the shared layer checks', () => {
    runLayerTest({
      layer: () => new Conv3D(2, [2, 3, 2], { padding: 'same', strides: [2, 1, 2] }),
      inputShape: [2, 5, 4, 3, 3],
      expectedOutputShape: [2, 3, 4, 2, 2],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
      expectedWeightShapes: [[2, 3, 2, 3, 2], [2]],
    });
    runLayerTest({
      layer: () => new MaxPooling3D({ poolSize: [2, 2, 1], padding: 'same' }),
      inputShape: [1, 5, 3, 4, 2],
      expectedOutputShape: [1, 3, 2, 4, 2],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    runLayerTest({
      layer: () => new AveragePooling3D(3, { strides: 1 }),
      inputShape: [2, 4, 3, 5, 1],
      expectedOutputShape: [2, 2, 1, 3, 1],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    for (const G of [GlobalAveragePooling3D, GlobalMaxPooling3D]) {
      runLayerTest({
        layer: () => new G(),
        inputShape: [2, 3, 2, 4, 5],
        expectedOutputShape: [2, 5],
        expectedNumWeights: 0,
        expectedNumTrainableWeights: 0,
      });
      assert.deepEqual(new G({ keepdims: true }).computeOutputShape([null, 3, 2, 4, 5]), [
        null,
        1,
        1,
        1,
        5,
      ]);
    }
    const x = rand([1, 2, 2, 2, 3], 3);
    expectClose(new GlobalMaxPooling3D().apply(x), [
      [0, 1, 2].map((c) => Math.max(...[...x.data].filter((_, i) => i % 3 === c))),
    ]);
  });

  it('have finite-difference gradients', () => {
    expectLayerGradOk(
      new Conv3D(2, [2, 2, 3], {
        padding: 'same',
        strides: [2, 1, 1],
        biasInitializer: 'randomNormal',
      }),
      rand([1, 3, 3, 4, 2], 4),
    );
    expectLayerGradOk(new Conv3D(1, 2, { dilationRate: [2, 1, 1] }), rand([1, 4, 3, 3, 1], 5));
    expectLayerGradOk(new AveragePooling3D(2, { padding: 'same' }), rand([1, 3, 3, 3, 2], 6));
    expectLayerGradOk(new MaxPooling3D([2, 2, 1], { strides: 1 }), rand([1, 3, 3, 2, 2], 7));
  });

  it('save and load inside a model with the same predictions', () => {
    const model = new Sequential([
      new Conv3D(3, 2, { padding: 'same', activation: 'relu', inputShape: [4, 4, 4, 1] }),
      new MaxPooling3D(2),
      new AveragePooling3D(2, { padding: 'same' }),
      new GlobalAveragePooling3D(),
    ]);
    const x = rand([2, 4, 4, 4, 1], 8);
    const want = model.predict(x) as Tensor;
    const file = join(dir, 'm.keel');
    model.save(file);
    expectClose(loadModel(file).predict(x) as Tensor, want, { atol: 0 });
  });

  it('name the layer, the op and the shapes in errors', () => {
    assert.throws(
      () => new Conv3D(2, 3, { name: 'c' }).apply(rand([2, 4, 4, 3])),
      /Conv3D 'c': expected input \(None, depth, height, width, channels\)/,
    );
    assert.throws(
      () => new MaxPooling3D(2, { name: 'p' }).apply(rand([2, 4, 4, 3])),
      /MaxPooling3D 'p': expected input \(None, depth, height, width, channels\)/,
    );
    assert.throws(
      () => conv3d(rand([1, 3, 3, 3, 2]), rand([2, 2, 2, 3, 1])),
      /conv3d: expected filter \[fd, fh, fw, 2, out\] for input \[1, 3, 3, 3, 2\], got \[2, 2, 2, 3, 1\]/,
    );
    assert.throws(
      () => conv3d(rand([1, 2, 3, 3, 1]), rand([3, 1, 1, 1, 1])),
      /conv3d: the window spans 3 depth steps, more than the input's 2/,
    );
  });
});
