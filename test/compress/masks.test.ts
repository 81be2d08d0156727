import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { magnitudeMasks } from '../../src/compress/index.js';

/** A kernel [rows, cols] from rows of numbers. */
function kernel(rows: number[][]) {
  return { values: new Float32Array(rows.flat()), shape: [rows.length, rows[0]!.length] };
}

const mask = (rows: number[][]) => new Uint8Array(rows.flat());

const a = kernel([
  [0.1, -0.9],
  [-0.3, 0.5],
]);
const b = kernel([
  [5, 6],
  [-7, 8],
]);

describe('magnitudeMasks', () => {
  it('unstructured per layer: prunes the smallest |w| of each kernel', () => {
    const [ma, mb] = magnitudeMasks([a, b], 0.5, 'unstructured', 'layer');
    assert.deepEqual(
      ma,
      mask([
        [0, 1],
        [0, 1],
      ]),
    );
    assert.deepEqual(
      mb,
      mask([
        [0, 0],
        [1, 1],
      ]),
    );
  });

  it('unstructured global: one threshold over all kernels', () => {
    const [ma, mb] = magnitudeMasks([a, b], 0.5, 'unstructured', 'global');
    assert.deepEqual(
      ma,
      mask([
        [0, 0],
        [0, 0],
      ]),
    );
    assert.deepEqual(
      mb,
      mask([
        [1, 1],
        [1, 1],
      ]),
    );
  });

  it('never prunes more than the target, and nothing at sparsity 0', () => {
    const row = kernel([[1, 2, 3]]);
    assert.deepEqual(magnitudeMasks([row], 0.5, 'unstructured', 'layer')[0], mask([[0, 0, 1]]));
    assert.deepEqual(magnitudeMasks([row], 0.4, 'unstructured', 'layer')[0], mask([[0, 1, 1]]));
    assert.deepEqual(magnitudeMasks([row], 0, 'channel', 'layer')[0], mask([[1, 1, 1]]));
  });

  it('2:4 keeps the 2 largest of each 4 consecutive weights along the input axis', () => {
    // Dense kernel [in=4, out=2]: column 0 is (1, -4, 3, 2), column 1 is (8, 7, -6, 5).
    const w = kernel([
      [1, 8],
      [-4, 7],
      [3, -6],
      [2, 5],
    ]);
    const [m] = magnitudeMasks([w], 0.9, '2:4', 'layer');
    assert.deepEqual(
      m,
      mask([
        [0, 1],
        [1, 1],
        [1, 0],
        [0, 0],
      ]),
    );
    // Conv kernel [kh=1, kw=2, in=4, out=1]: each kernel position has its own run of 4.
    const conv = { values: new Float32Array([1, 2, 3, 4, 8, 7, 6, 5]), shape: [1, 2, 4, 1] };
    assert.deepEqual(
      magnitudeMasks([conv], 0.5, '2:4', 'layer')[0],
      new Uint8Array([0, 0, 1, 1, 1, 1, 0, 0]),
    );
  });

  it('blocks: r×c blocks of the [fan-in, out] matrix by mean |w|', () => {
    const w = kernel([
      [1, 1, 9, 9],
      [1, 1, 9, 9],
      [5, 5, 0.5, 0.5],
      [5, 5, 0.5, 0.5],
    ]);
    const [m] = magnitudeMasks([w], 0.5, { block: [2, 2] }, 'layer');
    assert.deepEqual(
      m,
      mask([
        [0, 0, 1, 1],
        [0, 0, 1, 1],
        [1, 1, 0, 0],
        [1, 1, 0, 0],
      ]),
    );
  });

  it('channel: whole output channels by L2 norm', () => {
    // Column norms: sqrt(9+16)=5, sqrt(1+1)=1.41, 6, 0.
    const w = kernel([
      [3, 1, 6, 0],
      [-4, 1, 0, 0],
    ]);
    const [m] = magnitudeMasks([w], 0.5, 'channel', 'layer');
    assert.deepEqual(
      m,
      mask([
        [1, 0, 1, 0],
        [1, 0, 1, 0],
      ]),
    );
  });
});
