import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  rangeToQParams,
  SCALE_EPS,
} from '../../src/compress/index.js';
import { tensor } from '../../src/tensor/create.js';
import '../../src/backends/index.js';

const f32 = Math.fround;

describe('MinMaxObserver', () => {
  it('gives PyTorch’s affine uint8 scale and zero point from the running range', () => {
    const o = new MinMaxObserver();
    o.observe(tensor([-1, 0.5, 2]));
    // scale = (2 - -1) / 255 in float32; zero point 0 - round(-1 / scale) = 85.
    assert.deepEqual(o.qparams(), { scale: [f32(3 / 255)], zeroPoint: [85] });
    o.observe(tensor([-3, 1]));
    assert.deepEqual([o.minVal![0], o.maxVal![0]], [-3, 2]);
    // -3 / f32(5 / 255) = -153.00000... -> 153.
    assert.deepEqual(o.qparams(), { scale: [f32(5 / 255)], zeroPoint: [153] });
  });

  it('widens the range to hold 0 and floors the scale at float32 eps', () => {
    const o = new MinMaxObserver();
    o.observe(tensor([0.5, 2]));
    assert.deepEqual(o.qparams(), { scale: [f32(2 / 255)], zeroPoint: [0] });
    const z = new MinMaxObserver();
    z.observe(tensor([0, 0]));
    assert.deepEqual(z.qparams(), { scale: [SCALE_EPS], zeroPoint: [0] });
    assert.equal(SCALE_EPS, 1.1920928955078125e-7);
  });

  it('gives symmetric int8 per output channel (zero point 0), and 128 for symmetric uint8', () => {
    const o = new MinMaxObserver({ quantMin: -127, quantMax: 127, symmetric: true, axis: -1 });
    o.observe(
      tensor([
        [1, -4, 0],
        [-2, 0.5, 0],
      ]),
    );
    assert.deepEqual(o.qparams(), {
      scale: [f32(2 / 127), f32(4 / 127), SCALE_EPS],
      zeroPoint: [0, 0, 0],
    });
    const u = new MinMaxObserver({ symmetric: true });
    u.observe(tensor([-1, 3]));
    assert.deepEqual(u.qparams(), { scale: [f32(3 / 127.5)], zeroPoint: [128] });
    assert.deepEqual(rangeToQParams(-1, 3, 0, 15, true), { scale: f32(3 / 7.5), zeroPoint: 7 });
  });

  it('reads channels along a middle axis and ignores empty tensors', () => {
    const o = new MinMaxObserver({ symmetric: true, quantMin: -127, quantMax: 127, axis: 1 });
    o.observe(tensor([1, 2, -3, 4, 5, -6, 7, 8], [2, 2, 2]));
    o.observe(tensor(new Float32Array(0), [0, 2, 2]));
    // channel 0: 1, 2, 5, -6; channel 1: -3, 4, 7, 8.
    assert.deepEqual(Array.from(o.minVal!), [-6, -3]);
    assert.deepEqual(Array.from(o.maxVal!), [5, 8]);
  });

  it('rejects bad arguments and asking before observing', () => {
    assert.throws(
      () => new MinMaxObserver({ quantMin: 1, quantMax: 255 }),
      /MinMaxObserver: quantMin and quantMax/,
    );
    assert.throws(() => new MinMaxObserver().qparams(), /MinMaxObserver: no tensor observed yet/);
    assert.throws(
      () => new MinMaxObserver({ axis: 2 }).observe(tensor([1, 2])),
      /axis 2 is out of range for a tensor \[2\]/,
    );
    assert.throws(
      () => new MovingAverageMinMaxObserver({ averagingConstant: 0 }),
      /MovingAverageMinMaxObserver: averagingConstant must be in \(0, 1\]/,
    );
  });
});

describe('MovingAverageMinMaxObserver', () => {
  it('starts at the first range, then moves by averagingConstant in float32', () => {
    const o = new MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    o.observe(tensor([0, 1]));
    o.observe(tensor([-1, 3]));
    assert.deepEqual([o.minVal![0], o.maxVal![0]], [-0.5, 2]);
    assert.deepEqual(o.qparams().scale, [f32(2.5 / 255)]);
    const d = new MovingAverageMinMaxObserver();
    d.observe(tensor([0, 1]));
    d.observe(tensor([0, 2]));
    assert.equal(d.maxVal![0], f32(1 + f32(f32(0.01) * 1)));
  });
});
