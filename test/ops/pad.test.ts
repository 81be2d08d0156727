import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PadMode, pad } from '../../src/ops/pad.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { build, valueAt } from './shape-reference.js';

/** The source index of output position i along an axis of size n (-1 for the constant), NumPy's rules. */
function source(i: number, before: number, n: number, mode: string): number {
  let j = i - before;
  if (j >= 0 && j < n) return j;
  if (mode === 'constant') return -1;
  // Mirror repeatedly until inside (the op allows at most one reflection).
  while (j < 0 || j >= n) {
    if (mode === 'reflect') j = j < 0 ? -j : 2 * (n - 1) - j;
    else j = j < 0 ? -j - 1 : 2 * n - 1 - j;
  }
  return j;
}

describe('pad', () => {
  it('pads with a constant', () => {
    expectClose(
      pad(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        [
          [1, 0],
          [0, 2],
        ],
        -1,
      ),
      [
        [-1, -1, -1, -1],
        [1, 2, -1, -1],
        [3, 4, -1, -1],
      ],
    );
    expectClose(pad(tensor([5]), [[2, 1]]), [0, 0, 5, 0]);
  });

  it('mirrors in reflect and symmetric modes', () => {
    expectClose(pad(tensor([1, 2, 3]), [[2, 2]], 0, 'reflect'), [3, 2, 1, 2, 3, 2, 1]);
    expectClose(pad(tensor([1, 2, 3]), [[3, 1]], 0, 'symmetric'), [3, 2, 1, 1, 2, 3, 3]);
  });

  it('matches a naive reference on a rank-4 tensor in every mode', () => {
    const x = rand([3, 4, 2, 5], 1);
    const paddings: [number, number][] = [
      [1, 2],
      [0, 3],
      [1, 1],
      [2, 0],
    ];
    for (const mode of ['constant', 'reflect', 'symmetric'] as const) {
      const y = pad(x, paddings, 7, mode);
      assert.deepEqual(y.shape, [6, 7, 4, 7]);
      expectClose(
        y,
        build(y.shape, (i) => {
          const src = i.map((v, d) => source(v, paddings[d]![0], x.shape[d]!, mode));
          return src.includes(-1) ? 7 : valueAt(x, src);
        }),
      );
    }
  });

  it('handles rank 0, no padding and empty tensors', () => {
    expectClose(pad(scalar(2), []), [2]);
    const x = rand([2, 3]);
    assert.equal(
      pad(x, [
        [0, 0],
        [0, 0],
      ]),
      x,
    );
    expectClose(
      pad(
        tensor(new Float32Array(0), [0, 2]),
        [
          [1, 0],
          [0, 0],
        ],
        3,
      ),
      [[3, 3]],
    );
    assert.deepEqual(pad(tensor(new Float32Array(0), [0]), [[0, 0]], 0, 'reflect').shape, [0]);
  });

  it('keeps the dtype and passes NaN through', () => {
    const y = pad(tensor(Int32Array.from([1, 2])), [[1, 1]], 9);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [9, 1, 2, 9]);
    expectClose(pad(tensor([Number.NaN]), [[1, 0]]), [0, Number.NaN]);
  });

  it('has correct gradients in every mode', () => {
    const paddings: [number, number][] = [
      [1, 2],
      [2, 1],
      [0, 3],
    ];
    for (const mode of ['constant', 'reflect', 'symmetric'] as const)
      expectGradOk((x) => pad(x, paddings, 0.5, mode), [rand([3, 4, 4], 2)]);
    // Borders as deep as the axis allows.
    expectGradOk((x) => pad(x, [[2, 2]], 0, 'reflect'), [rand([3], 3)]);
    expectGradOk((x) => pad(x, [[3, 3]], 0, 'symmetric'), [rand([3], 4)]);
  });

  it('rejects malformed paddings, too-deep mirrors and unknown modes', () => {
    const x = rand([2, 3]);
    assert.throws(
      () => pad(x, [[1, 1]]),
      /pad: paddings \[\[1, 1\]\] has 1 entries, expected one \[before, after\] per axis of shape \[2, 3\]/,
    );
    assert.throws(
      () =>
        pad(x, [
          [0, 0],
          [-1, 0],
        ]),
      /pad: paddings \[\[0, 0\], \[-1, 0\]\]: entry 1 must be \[before, after\] with integers >= 0/,
    );
    assert.throws(
      () =>
        pad(
          x,
          [
            [2, 0],
            [0, 0],
          ],
          0,
          'reflect',
        ),
      /pad: .*reflect padding of axis 0 must be at most 1 for shape \[2, 3\]/,
    );
    assert.throws(
      () =>
        pad(
          x,
          [
            [0, 0],
            [0, 4],
          ],
          0,
          'symmetric',
        ),
      /symmetric padding of axis 1 must be at most 3/,
    );
    // An invalid mode from untyped callers is rejected at run time too.
    assert.throws(
      () =>
        pad(
          x,
          [
            [0, 0],
            [0, 0],
          ],
          0,
          'wrap' as PadMode,
        ),
      /pad: unknown mode 'wrap'/,
    );
  });
});
